"""Chunking: Japanese sentence boundaries, headings as context, size, overlap, stable output."""

from index.chunking import chunk_text, embedding_text, overlap_length

PAGE = """# 発作が起きたときの応急手当
てんかん発作の多くは数分以内に自然に治まります。まわりの人が落ち着いて見守ることが大切です。
## まず安全を確保する
- 周りの危険な物をどける
- 頭の下に柔らかい物を敷く
発作中に口に物を入れてはいけません。舌をかむのを防ごうとして指やタオルを入れると、窒息やけがの原因になります。体を押さえつけるのも避けましょう。
## 119番に電話する目安
""" + "発作が5分以上続くときは救急車を呼びましょう。意識が戻らないまま次の発作が起きる場合は重積状態の可能性があります。" * 8


def test_chunks_end_at_sentence_boundaries_and_respect_size():
    pieces = chunk_text(PAGE, size=200, overlap=60, min_chunk=60)
    assert len(pieces) >= 3
    for p in pieces:
        assert len(p.text) <= 200 + 60  # a merged short tail may exceed the target a little
        assert p.text.rstrip()[-1] in "。！？す" or p.text.endswith(("敷く", "どける"))


def test_headings_are_carried_into_each_chunk():
    pieces = chunk_text(PAGE, size=200, overlap=60, min_chunk=60)
    late = [p for p in pieces if "救急車" in p.text]
    assert late and all(p.headings == ("発作が起きたときの応急手当", "119番に電話する目安") for p in late)
    assert pieces[0].headings[0] == "発作が起きたときの応急手当"
    # the title and headings are what the embedder sees in front of the text
    e = embedding_text("応急手当", late[0].headings, late[0].text)
    assert e.startswith("応急手当 / 発作が起きたときの応急手当 / 119番に電話する目安\n")


def test_consecutive_chunks_of_a_section_overlap_by_whole_sentences():
    pieces = [p for p in chunk_text(PAGE, size=200, overlap=60, min_chunk=60) if "救急車" in p.text]
    assert len(pieces) >= 2
    first_sentence_of_next = pieces[1].text.split("。")[0] + "。"
    assert first_sentence_of_next in pieces[0].text


def test_the_overlap_of_consecutive_chunks_is_found_so_a_page_can_be_put_back_together():
    text = """# 服薬
""" + "".join(f"お薬の話その{i}です。" for i in range(40))
    pieces = chunk_text(text, size=120, overlap=40, min_chunk=30)
    assert len(pieces) >= 3
    whole = pieces[0].text
    for a, b in zip(pieces, pieces[1:]):
        k = overlap_length(a.text, b.text)
        assert k > 0 and a.text.endswith(b.text[:k])
        whole += b.text[k:]
    # every sentence once, in order: the page as it was, less its heading line
    assert whole.split("\n")[-1] == "".join(f"お薬の話その{i}です。" for i in range(40))
    assert overlap_length("発作の記録をつけましょう。", "受診のときに見せましょう。") == 0  # nothing shared
    assert overlap_length("まとめ。はい。", "はい。次へ。") == 0  # under the minimum: a coincidence, not a carry


def test_a_line_that_does_not_close_its_sentence_is_not_run_into_the_next_paragraph():
    text = ("# ケトン食療法\n※このページはデモ用です。\n最終更新日：2026年10月1日\n"
            "てんかんの食事療法は、脂肪を多くする治療です。代表的なものがケトン食療法です。\n次の段落です。")
    [p] = chunk_text(text, size=400, overlap=80, min_chunk=10)
    lines = p.text.split("\n")
    # the date line stays a line of its own, so the paragraph's first sentence is a sentence of its own
    assert "てんかんの食事療法は、脂肪を多くする治療です。代表的なものがケトン食療法です。次の段落です。" in lines
    assert any(x.endswith("最終更新日：2026年10月1日") for x in lines)


def test_a_sentence_longer_than_the_size_is_cut_at_a_comma():
    long = "、".join(["発作の記録をつけておくと診察のときに役立ちます"] * 20) + "。"
    pieces = chunk_text(long, size=100, overlap=0, min_chunk=0)
    assert len(pieces) > 1
    assert all(len(p.text) <= 100 for p in pieces)
    assert "".join(p.text for p in pieces) == long


def test_short_tail_is_merged_and_output_is_deterministic():
    text = "てんかんは脳の病気です。" * 30 + "\n短い。"
    a = chunk_text(text, size=120, overlap=0, min_chunk=40)
    assert a[-1].text.endswith("短い。") and len(a[-1].text) > 40
    assert a == chunk_text(text, size=120, overlap=0, min_chunk=40)
    assert chunk_text("", 100, 10, 10) == []


def test_pdf_pages_bound_chunks_and_carry_headings():
    # a PDF document: page 2 starts in the middle of a section, page 3 is one short line
    p1 = "# 防災の手引き\n## お薬の備え\n" + "お薬は少なくとも7日分を持ち出し袋に入れておきましょう。" * 6
    p2 = "使用期限が切れないよう、3か月に1回を目安に入れ替えます。" * 5 + "\n## 避難所で\n受付で発作のことを伝えましょう。"
    p3 = "停電に備えて懐中電灯を用意します。"
    text = "\n".join([p1, p2, p3])
    pages = [{"n": 1, "start": 0}, {"n": 2, "start": len(p1) + 1}, {"n": 4, "start": len(p1) + len(p2) + 2}]
    pieces = chunk_text(text, size=150, overlap=40, min_chunk=60, pages=pages)
    assert {p.page for p in pieces} == {1, 2, 4}
    for p in pieces:  # every chunk lies on its page: no text of another page, no overlap across a break
        own = {1: p1, 2: p2, 4: p3}[p.page]
        assert all(line in own for line in p.text.split("\n")), (p.page, p.text)
    first_on_2 = next(p for p in pieces if p.page == 2)
    assert first_on_2.headings == ("防災の手引き", "お薬の備え"), "the heading path carries over the page break"
    assert next(p for p in pieces if p.page == 4).headings == ("防災の手引き", "避難所で")
    # without pages the same text chunks as any HTML page does (pages never change HTML chunks)
    plain = chunk_text(text, size=150, overlap=40, min_chunk=60)
    assert all(p.page is None for p in plain)
    assert chunk_text(PAGE, 200, 60, 60) == chunk_text(PAGE, 200, 60, 60, pages=None)
