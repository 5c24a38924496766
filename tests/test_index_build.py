"""Index build, incremental update with deletions, no-op, refusal of corrupt/mismatched indexes."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index import build, open_index
from tenkan.face.config import load_config
from tenkan.errors import IndexCorruptError, IndexMismatchError, IndexMissingError

REPO = Path(__file__).resolve().parent.parent

DOCS = [
    {"doc_id": "d-bath", "title": "入浴と発作", "text": "# 入浴\n入浴中に発作が起きると溺れる危険があります。"
     "湯船よりシャワーが安全です。家族に声をかけてから入りましょう。\n## 水泳\nプールでは監視員に病気のことを伝えます。"},
    {"doc_id": "d-drive", "title": "運転免許", "text": "# 運転免許\n日本では発作が2年間ないなどの条件を満たすと"
     "運転免許を取得できる場合があります。公安委員会への申告が必要です。"},
    {"doc_id": "d-aid", "title": "応急手当", "text": "# 応急手当\n発作が起きたら周りの危険な物をどけます。"
     "口に物を入れてはいけません。発作が5分以上続くときは救急車を呼びます。"},
    {"doc_id": "d-preg", "title": "妊娠とお薬", "text": "# 妊娠\nバルプロ酸は妊娠中に胎児への影響が知られています。"
     "妊娠を考えたら自己判断で薬をやめず、主治医に相談してください。"},
]


@pytest.fixture
def cfg(hash_index_config):
    return hash_index_config


def test_missing_index_is_reported_with_the_build_command(workspace, cfg):
    with pytest.raises(IndexMissingError) as e:
        open_index(workspace, cfg)
    assert e.value.hint == "tenkan index"


def test_build_then_search_each_method_finds_the_page(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    s = build(cfg, workspace)
    assert s.changed and s.full and s.documents == 4 and s.chunks >= 4 and s.embedded_chunks == s.chunks
    r = open_index(workspace, cfg)
    assert r.manifest["embedder"]["name"] == "hash:256" and r.manifest["dim"] == 256
    for method in ("bm25", "dense", "hybrid"):
        hits = r.search("運転免許は取れますか", k=2, method=method)
        assert hits[0].doc_id == "d-drive", method
        assert hits[0].chunk_id == "d-drive#0" and hits[0].rank == 1 and hits[0].url.endswith("d-drive.html")
    assert r.get("d-aid#0").title == "応急手当" and r.get("nope#0") is None
    assert {c.doc_id for c in r.iter_chunks()} == {"d-bath", "d-drive", "d-aid", "d-preg"}
    assert r.search("", k=3) == []


def test_hybrid_ranks_chunks_by_their_closest_sentence_too(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    r = open_index(workspace, load_config(overrides=["index.embedder=hash:256", "index.sentence_weight=1"]))
    # the sentence as written: its vector is the query's, so the chunk holding it comes first with cosine 1
    found = r.sentence_search("口に物を入れてはいけません。", 3)
    assert found[0][0] == next(c.row for c in r._store.iter_rows() if c.chunk.doc_id == "d-aid")  # noqa: SLF001
    assert found[0][1] > 0.99 and len({row for row, _ in found}) == len(found) == 3
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    hit = r.search("口に物を入れてはいけません", k=1, method="hybrid")[0]
    assert hit.doc_id == "d-aid" and set(hit.ranks) == {"bm25", "dense", "sentence"}
    # off, the default: the two-list fusion
    off = open_index(workspace, cfg)
    assert set(off.search("口に物を入れてはいけません", k=1, method="hybrid")[0].ranks) == {"bm25", "dense"}


def test_an_index_without_sentence_vectors_searches_on_two_lists(workspace, write_corpus):
    cfg = load_config(overrides=["index.embedder=hash:256", "index.sentence_vectors=false", "index.sentence_weight=1"])
    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    r = open_index(workspace, cfg)
    assert r.sentence_search("口に物を入れてはいけません。", 3) == []
    hit = r.search("口に物を入れてはいけません", k=1, method="hybrid")[0]
    assert hit.doc_id == "d-aid" and set(hit.ranks) == {"bm25", "dense"}


def test_unchanged_corpus_is_a_cheap_noop(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    first = build(cfg, workspace)
    again = build(cfg, workspace)
    assert again.changed is False and again.generation == first.generation
    assert sorted(p.name for p in workspace.index_dir().glob("gen-*")) == ["gen-1"]
    # a setting that changes the built artifacts is a change
    other = load_config(overrides=["index.embedder=hash:256", "index.chunk_size=120", "index.chunk_overlap=20",
                                   "index.min_chunk=30"])
    s = build(other, workspace)
    assert s.changed and s.generation == first.generation + 1


def test_an_index_chunked_by_another_chunker_version_is_rechunked(workspace, cfg, write_corpus, monkeypatch):
    import index.builder as builder

    write_corpus(workspace, DOCS)
    first = build(cfg, workspace)
    assert open_index(workspace, cfg).manifest["chunker"] == builder.CHUNKER_VERSION
    # the same corpus and settings under a newer chunker: a new generation, every document chunked again (a chunk
    # whose text came out the same keeps its vector, found by the text's hash)
    monkeypatch.setattr(builder, "CHUNKER_VERSION", builder.CHUNKER_VERSION + 1)
    s = build(cfg, workspace)
    assert s.changed and s.generation == first.generation + 1 and s.embedded_chunks == 0
    assert open_index(workspace, cfg).manifest["chunker"] == builder.CHUNKER_VERSION
    assert build(cfg, workspace).changed is False


def test_incremental_update_embeds_only_new_and_changed_and_drops_removed(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    first = build(cfg, workspace)
    r1 = open_index(workspace, cfg)
    old_bath = r1.get("d-bath#0")
    docs = [dict(d) for d in DOCS if d["doc_id"] != "d-preg"]  # removed
    docs[1]["text"] += "\n免許の更新のときにも申告が必要です。"  # changed
    docs.append({"doc_id": "d-work", "title": "仕事", "text": "# 就労\nてんかんのある人の就労支援には障害者手帳が役立ちます。"})
    write_corpus(workspace, docs)
    s = build(cfg, workspace)
    assert (s.added_docs, s.changed_docs, s.removed_docs, s.unchanged_docs) == (1, 1, 1, 2)
    d_chunks = {"d-drive", "d-work"}
    r2 = open_index(workspace, cfg)
    new_rows = [c for c in r2.iter_chunks() if c.doc_id in d_chunks]
    assert s.embedded_chunks == len(new_rows) and s.reused_chunks == s.chunks - len(new_rows)
    assert r2.get("d-preg#0") is None
    assert all(h.doc_id != "d-preg" for h in r2.search("バルプロ酸 妊娠", k=10))
    assert r2.search("障害者手帳で就労支援", k=1)[0].doc_id == "d-work"
    assert "更新" in r2.get("d-drive#0").text
    assert r2.get("d-bath#0") == old_bath  # unchanged document untouched
    assert r2.generation == first.generation + 1
    r1.close()


def test_other_embedder_is_refused_with_the_rebuild_command(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    other = load_config(overrides=["index.embedder=hash:128"])
    with pytest.raises(IndexMismatchError) as e:
        open_index(workspace, other)
    assert "tenkan index --full" in e.value.hint and "hash:256" in str(e.value)
    with pytest.raises(IndexMismatchError):
        build(other, workspace)  # incremental cannot mix vector spaces
    s = build(other, workspace, full=True)
    assert s.changed and s.dim == 128
    assert open_index(workspace, other).manifest["dim"] == 128


def test_corrupt_index_is_refused_and_full_rebuild_recovers(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    s = build(cfg, workspace)
    f = Path(s.path) / "faiss.index"
    data = bytearray(f.read_bytes())
    data[-10] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as e:
        open_index(workspace, cfg)
    assert e.value.hint == "tenkan index --full"
    (Path(s.path) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        open_index(workspace, cfg)
    assert build(cfg, workspace, full=True).changed
    assert open_index(workspace, cfg).search("応急手当", k=1)[0].doc_id == "d-aid"


def test_dimension_mismatch_between_embedder_and_index_is_refused(workspace, cfg, write_corpus):
    from index.embedders import HashEmbedder

    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    liar = HashEmbedder(64)
    liar.name = "hash:256"  # claims the index's model, returns other-sized vectors
    r = open_index(workspace, cfg)
    r.embedder, r._dim_checked = liar, False
    with pytest.raises(IndexMismatchError):
        r.search("発作", method="dense")


CHILD = textwrap.dedent("""
    import sys, time, json
    from pathlib import Path
    from index import build
    from index.embedders import HashEmbedder
    from tenkan.face.config import load_config
    from tenkan.paths import Workspace

    stop_at = sys.argv[2]
    def phase(p):
        print(p, flush=True)
        if p == stop_at:
            time.sleep(60)   # the parent SIGKILLs us here
    class Slow(HashEmbedder):
        def embed_passages(self, texts):
            if stop_at == "embedding":
                print("embedding", flush=True); time.sleep(60)
            return super().embed_passages(texts)
    cfg = load_config(overrides=["index.embedder=hash:256", "index.embed_cache=off"])
    build(cfg, Workspace(Path(sys.argv[1])), embedder=Slow(256), on_phase=phase)
    print("done", flush=True)
""")


@pytest.mark.parametrize("stop_at", ["embedding", "embedded", "written", "renamed", "published"])
def test_kill_at_any_point_leaves_old_or_new_index(workspace, cfg, write_corpus, stop_at):
    cfg = load_config(overrides=["index.embedder=hash:256", "index.embed_cache=off"])
    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    old = {c.chunk_id: c.text for c in open_index(workspace, cfg).iter_chunks()}
    new_docs = DOCS[:2] + [{"doc_id": "d-new", "title": "新", "text": "# 新しいページ\nてんかんと学校生活について。"}]
    write_corpus(workspace, new_docs)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(workspace.root), stop_at], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)
    try:
        for line in proc.stdout:
            if line.strip() == stop_at:
                break
        else:
            pytest.fail(f"child never reached {stop_at}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    state = {c.chunk_id: c.text for c in open_index(workspace, cfg).iter_chunks()}
    docs_now = {k.split("#")[0] for k in state}
    # the pointer swap (CURRENT) decides: before it the old state, after it the new one, never a mix
    if stop_at == "published":
        assert docs_now == {"d-bath", "d-drive", "d-new"}
    else:
        assert state == old
    # the next build cleans up after the dead one and reaches the new state
    s = build(cfg, workspace)
    assert {c.doc_id for c in open_index(workspace, cfg).iter_chunks()} == {"d-bath", "d-drive", "d-new"}
    assert not list(workspace.index_dir().glob(".tmp-*"))
    assert s.changed or stop_at == "published"


def test_pdf_chunks_know_their_page_and_a_moved_page_break_rechunks(workspace, cfg, write_corpus):
    import shutil
    import sqlite3

    from index.store import ChunkStore

    p1 = "# 歯科診療の手引き\n## 受診の前に\n" + "発作の型と頻度、最後の発作の日を歯科医師に伝えます。" * 8
    p2 = "## 発作が起きたら\n" + "器具を口からすぐに取り出し、診療台を水平に倒します。" * 8
    text = p1 + "\n" + p2
    pdf = {"doc_id": "d-dental", "title": "歯科診療の手引き", "text": text, "url": "http://127.0.0.1:8765/dental.pdf",
           "pages": [{"n": 1, "start": 0}, {"n": 2, "start": len(p1) + 1}]}
    write_corpus(workspace, DOCS + [pdf])
    build(cfg, workspace)
    with open_index(workspace, cfg) as r:
        pages = {c.chunk_id: c.page for c in r.iter_chunks() if c.doc_id == "d-dental"}
        assert set(pages.values()) == {1, 2}
        assert all(c.page is None for c in r.iter_chunks() if c.doc_id != "d-dental")
        hit = next(h for h in r.search("診療台を水平に倒す", k=8, method="bm25") if h.doc_id == "d-dental")
        assert hit.page == 2
    # same text, the page break elsewhere (a page inserted before): the document is re-chunked
    pdf["pages"] = [{"n": 2, "start": 0}, {"n": 3, "start": len(p1) + 1}]
    write_corpus(workspace, DOCS + [pdf])
    s = build(cfg, workspace)
    assert s.changed and s.changed_docs == 1 and s.unchanged_docs == len(DOCS)
    with open_index(workspace, cfg) as r:
        assert {c.page for c in r.iter_chunks() if c.doc_id == "d-dental"} == {2, 3}
        gen = r.path
    # a chunk store written before pages existed reads as page None
    old = workspace.root / "old-chunks.sqlite"
    shutil.copy(gen / "chunks.sqlite", old)
    db = sqlite3.connect(old)
    db.execute("ALTER TABLE chunks DROP COLUMN page")
    db.commit()
    db.close()
    store = ChunkStore(old, readonly=True)
    chunks = list(store.iter_chunks())
    assert chunks and all(c.page is None for c in chunks)
    store.close()


def test_the_live_manifest_is_read_typed_through_index(workspace, cfg, write_corpus):
    from index import GenerationManifest, live_manifest

    assert live_manifest(workspace) is None
    write_corpus(workspace, DOCS)
    s = build(cfg, workspace)
    m = live_manifest(workspace)
    assert isinstance(m, GenerationManifest)
    assert (m.name, m.generation, m.embedder_name, m.dim, m.chunks, m.documents) == \
        (Path(s.path).name, s.generation, "hash:256", 256, s.chunks, 4)
    assert set(m.files) >= {"chunks.sqlite", "vectors.npy", "faiss.index"} and m.settings["chunk_size"] == 400
    assert m.raw == json.loads((Path(s.path) / "manifest.json").read_text(encoding="utf-8"))
    assert open_index(workspace, cfg).info == m
    (Path(s.path) / "vectors.npy").unlink()
    with pytest.raises(IndexCorruptError, match="vectors.npy is missing"):
        live_manifest(workspace)


def test_build_and_open_refuse_another_embedder_with_one_message(workspace, cfg, write_corpus):
    write_corpus(workspace, DOCS)
    build(cfg, workspace)
    other = load_config(overrides=["index.embedder=hash:128"])
    with pytest.raises(IndexMismatchError) as opened:
        open_index(workspace, other)
    with pytest.raises(IndexMismatchError) as built:
        build(other, workspace)
    assert str(opened.value) == str(built.value)
    assert "--set index.embedder=hash:256" in opened.value.hint and "tenkan index --full" in opened.value.hint


def test_hnsw_build_settings_reach_the_graph_and_the_manifest(workspace, write_corpus):
    """faiss_index = 'hnsw' builds with the configured degree and build breadth (the FAISS file keeps
    them), the manifest records them, and a change of build breadth alone is a new generation that
    re-embeds nothing."""
    import faiss

    from index import live_manifest

    def cfg(efc):
        return load_config(overrides=["index.embedder=hash:256", "index.faiss_index=hnsw", "index.hnsw_m=8",
                                      f"index.hnsw_ef_construction={efc}", "index.hnsw_ef_search=33"])

    write_corpus(workspace, DOCS)
    s = build(cfg(77), workspace)
    m = live_manifest(workspace)
    assert m.faiss_index == "hnsw" and (m.settings["hnsw_m"], m.settings["hnsw_ef_construction"]) == (8, 77)
    on_disk = faiss.read_index(str(Path(s.path) / "faiss.index"))
    assert (on_disk.hnsw.nb_neighbors(1), on_disk.hnsw.efConstruction) == (8, 77)
    r = open_index(workspace, cfg(77))
    assert r._faiss.hnsw.efSearch == 33  # noqa: SLF001 - a search setting, applied when opened
    assert r.search("運転免許は取れますか", k=1, method="dense")[0].doc_id == "d-drive"
    r.close()
    assert build(cfg(77), workspace).changed is False
    wider = build(cfg(99), workspace)
    assert wider.changed and wider.embedded_chunks == 0
    on_disk = faiss.read_index(str(Path(wider.path) / "faiss.index"))
    assert on_disk.hnsw.efConstruction == 99


def test_a_generation_built_before_hnsw_ef_construction_existed_opens_and_updates(workspace, cfg, write_corpus):
    """Older manifests lack the key (and have another settings digest): the index opens and searches
    as it is, and the next build rewrites it with today's settings without embedding anything."""
    write_corpus(workspace, DOCS)
    s = build(cfg, workspace)
    mpath = Path(s.path) / "manifest.json"
    raw = json.loads(mpath.read_text(encoding="utf-8"))
    del raw["settings"]["hnsw_ef_construction"]
    raw["settings_digest"] = "digest of the older settings"
    mpath.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    r = open_index(workspace, cfg)
    assert "hnsw_ef_construction" not in r.info.settings
    assert r.search("運転免許は取れますか", k=1)[0].doc_id == "d-drive"
    r.close()
    again = build(cfg, workspace)
    assert again.changed and again.generation == s.generation + 1 and again.embedded_chunks == 0
    assert open_index(workspace, cfg).info.settings["hnsw_ef_construction"] == cfg.index.hnsw_ef_construction
