"""The learnt sentence ranker of extractive answers: it chooses each page's sentences among what
passes the score's floor while the hand score keeps choosing the pages, reads its own file back,
and refuses a file fitted on other features."""

from __future__ import annotations

import json

import pytest

from assistant.extractive import FEATURES, RANKER_FILE, RANKER_FLOOR, SentenceRanker, candidate_features, select_passages
from assistant.grounding import Source

TEXT = ("発作が起きたら、まず周りの危ない物をどけて、けがを防ぎます。"
        "発作が5分以上続くときや、意識が戻らないまま次の発作が起きたときは、119番に電話して救急車を呼びます。"
        "発作が止まったら、体を横向きにして呼吸が楽にできるようにします。")


def _ranker(**weights: float) -> SentenceRanker:
    coef = [weights.get(f, 0.0) for f in FEATURES]
    return SentenceRanker({"features": list(FEATURES), "mean": [0.0] * len(FEATURES),
                           "scale": [1.0] * len(FEATURES), "coef": coef, "intercept": 0.0})


def test_the_ranker_orders_the_candidates_that_pass_the_floor():
    src = [Source(n=1, chunk_id="d#0", url="http://127.0.0.1/first-aid.html", title="応急手当", text=TEXT)]
    q = "発作が起きたらどうすればいい？"
    cands = candidate_features(q, src)
    assert len(cands) == 3 and all(len(f) == len(FEATURES) for _, f in cands)
    by_hand = select_passages(q, src, n=1)
    late = select_passages(q, src, n=1, ranker=_ranker(position=1.0))   # prefers later sentences
    early = select_passages(q, src, n=1, ranker=_ranker(position=-1.0))  # prefers the first
    assert late[0].quotes[0].position > early[0].quotes[0].position
    assert {by_hand[0].quotes[0].text, late[0].quotes[0].text, early[0].quotes[0].text} <= set(TEXT.split("。")[i] + "。"
                                                                                                for i in range(3))


OTHER = ("発作が5分以上続いたときは、始まった時刻を記録に書きます。"
         "てんかんのある人が運転できるかどうかは、発作の状況によって法律で決まっています。")


def test_the_hand_score_chooses_the_pages_and_the_ranker_each_pages_sentence():
    # a ranker that prefers the first retrieved page would, ordering every candidate, fill the answer from
    # it; it only picks within each page, so the page the hand score puts first still comes first
    src = [Source(n=1, chunk_id="a#0", url="http://127.0.0.1/record.html", title="記録", text=OTHER),
           Source(n=2, chunk_id="b#0", url="http://127.0.0.1/first-aid.html", title="応急手当", text=TEXT)]
    q = "発作が5分以上続いたら救急車を呼ぶ？"
    by_hand = select_passages(q, src, n=2)
    assert by_hand[0].source == 2
    for ranker in (_ranker(source_rank=-5.0), _ranker(position=1.0), _ranker(position=-1.0)):
        ranked = select_passages(q, src, n=2, ranker=ranker)
        assert [p.source for p in ranked] == [p.source for p in by_hand]
    # (ordered outright, that first ranker would have put page 1 first: its sentences pass the floor)
    floor = RANKER_FLOOR * max(c.score for c, _ in candidate_features(q, src))
    assert any(c.source == 1 and c.score >= floor for c, _ in candidate_features(q, src))


def test_the_committed_ranker_reads_back_and_a_foreign_file_is_refused(tmp_path):
    data = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
    assert data["trained_on"]["split"] == "tune"
    SentenceRanker(data)
    with pytest.raises(ValueError):
        SentenceRanker({**data, "features": list(reversed(FEATURES))})


def test_a_sentence_the_ranker_holds_likely_goes_on_the_passage_though_it_missed_the_floor():
    # the third sentence shares no word with the question, so only the ranker can bring it: a ranker that holds it
    # more likely than not to state a needed fact (log-odds above 0, here by its position) adds it to the passage
    text = ("採血の前に\n"
            "血中濃度は、次に飲む直前の時点で測ります。"
            "値は朝の服薬の時刻によって変わりやすいものです。"
            "予約の時刻は受付で確認しておきましょう。\n")
    src = [Source(n=1, chunk_id="d#0", url="http://127.0.0.1/levels.html", title="血中濃度", text=text)]
    q = "血中濃度はいつ測る？"

    def ranker(intercept: float) -> SentenceRanker:
        r = _ranker(position=10.0)  # the sentences (lines 1-3 of the text) score 0.5, 1.0, 1.5 before the intercept
        r.intercept = intercept
        return r

    assert [c.score > 0.05 for c, _ in candidate_features(q, src)] == [True, False, False]
    [likely] = select_passages(q, src, n=1, ranker=ranker(-1.25))
    [unlikely] = select_passages(q, src, n=1, ranker=ranker(-2.0))
    assert [x.text for x in unlikely.quotes] == ["血中濃度は、次に飲む直前の時点で測ります。",
                                                 "値は朝の服薬の時刻によって変わりやすいものです。"]
    assert [x.text for x in likely.quotes] == [x.text for x in unlikely.quotes] + ["予約の時刻は受付で確認しておきましょう。"]
