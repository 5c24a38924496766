"""Near-duplicate detection: LSH only proposes candidates; a pair counts as a duplicate
only when its MinHash Jaccard estimate reaches the threshold."""

from __future__ import annotations

import hashlib
import random

_CHARS = [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x4E00, 0x4E00 + 500)]


def _pairs(n: int, keep: int, length: int = 600, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` pairs of random texts sharing their first ``keep`` characters."""
    rng = random.Random(seed)

    def rand(k):
        return "".join(rng.choice(_CHARS) for _ in range(k))
    out = []
    for _ in range(n):
        a = rand(length)
        out.append((a, a[:keep] + rand(length - keep)))
    return out


def _docs(pairs):
    docs = []
    for i, (a, b) in enumerate(pairs):
        for k, t in (("a", a), ("b", b)):
            url = f"http://127.0.0.1:8765/{i}{k}.html"
            docs.append({"doc_id": f"{i}{k}", "url": url, "canonical_url": url, "text": t,
                         "content_hash": hashlib.sha256(t.encode()).hexdigest()})
    return docs


def _minhash(text):
    from datasketch import MinHash

    from ingest.dedup import _NUM_PERM, _shingles

    m = MinHash(num_perm=_NUM_PERM)
    m.update_batch(list(_shingles(text)))
    return m


def test_lsh_candidates_below_the_threshold_are_not_duplicates():
    from datasketch import MinHashLSH

    from ingest.dedup import _NUM_PERM, find_duplicates

    threshold = 0.9
    pairs = _pairs(150, keep=545)  # true Jaccard of the 5-gram sets ~0.83
    # LSH banding alone proposes some of these pairs (that is why they must be confirmed)
    proposed_below = 0
    for a, b in pairs:
        lsh = MinHashLSH(threshold=threshold, num_perm=_NUM_PERM)
        ma, mb = _minhash(a), _minhash(b)
        lsh.insert("a", ma)
        if lsh.query(mb) and mb.jaccard(ma) < threshold:
            proposed_below += 1
    assert proposed_below >= 2

    dup = find_duplicates(_docs(pairs), threshold)
    for d, orig in dup.items():
        i = int(d[:-1])
        a, b = pairs[i]
        assert _minhash(b).jaccard(_minhash(a)) >= threshold, (d, orig)
    assert len(dup) < proposed_below


def test_true_near_duplicates_are_still_found():
    from ingest.dedup import find_duplicates

    pairs = _pairs(20, keep=597, seed=1)  # Jaccard ~0.99
    dup = find_duplicates(_docs(pairs), 0.9)
    assert len(dup) == 20
    assert all(orig[:-1] == d[:-1] for d, orig in dup.items())


def test_instruction_dedupe_confirms_candidates():
    """The dataset's near-duplicate filter (char 3-grams of question+answer) confirms too."""
    from generator.dataset import dedupe
    from generator.strategies import Candidate

    pairs = _pairs(100, keep=270, length=300, seed=2)  # Jaccard ~0.82: LSH alone proposed 10 of them
    far = [Candidate(f"質問{i}", a if k == 0 else b, f"d{i}", "", "", [], "faq")
           for i, (a, b) in enumerate(pairs) for k in (0, 1)]
    kept, removed = dedupe(far, threshold=0.9)
    assert removed["near"] == 0 and len(kept) == 200
    close = _pairs(10, keep=299, length=300, seed=3)
    near = [Candidate("同じ質問", a if k == 0 else b, f"d{i}", "", "", [], "faq")
            for i, (a, b) in enumerate(close) for k in (0, 1)]
    kept, removed = dedupe(near, threshold=0.85)
    assert removed["near"] == 10
