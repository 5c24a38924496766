"""The answer pipeline: extractive answers, citation check, fallback, no-answer path,
safety in answers, streaming, follow-ups and prompt-injection resistance."""

from __future__ import annotations

import re

import pytest

from assistant.answer import FinalEvent, TokenEvent
from assistant.pipeline import FALLBACK_LEAD, NO_SOURCES_TEXT, OUT_OF_SCOPE_TEXT
from tests.fixtures.assistant import POISON, StaticRetriever, make_hit

URL_RE = re.compile(r"https?://\S+")


def _source_urls(hits):
    return {h.url for h in hits}


def test_extractive_quotes_and_cites_the_sources(make_assistant, static_hits):
    a = make_assistant(StaticRetriever(static_hits))
    ans = a.ask("発作が5分以上続いたらどうすればいいですか？", mode="extractive")
    d = ans.to_dict()
    assert d["mode"] == "extractive" and d["grounded"] is True
    assert d["citations"], d
    assert d["citations"][0]["url"].endswith("/life/first-aid.html")
    assert "119番" in d["answer"] and "[1]" in d["answer"]
    for c in d["citations"]:
        assert c["url"] in _source_urls(static_hits)
        # every quote is a verbatim passage of the cited chunk
        chunk = next(h for h in static_hits if h.chunk_id == c["chunk_id"])
        for q in c["quote"].split(" … "):
            assert q in chunk.text
    assert [c["n"] for c in d["citations"]] == list(range(1, len(d["citations"]) + 1))
    assert set(d["safety"]) >= {"emergency", "out_of_scope"}
    assert d["safety"]["emergency"] is True and d["answer"].startswith("【緊急】")


def test_supported_generated_answer_is_kept_with_renumbered_citations(make_assistant, static_hits):
    text = "ラモトリギンは飲み始めの時期に発疹に注意が必要です[2]。妊娠中は薬の血中濃度が下がることがあります[3]。"
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    ans = a.ask("ラモトリギンと妊娠で気をつけることは？", mode="rag-base")
    assert ans.grounding == "verified" and ans.grounded
    assert ans.answer == "ラモトリギンは飲み始めの時期に発疹に注意が必要です[1]。妊娠中は薬の血中濃度が下がることがあります[2]。"
    assert [(c.n, c.chunk_id) for c in ans.citations] == [(1, static_hits[1].chunk_id), (2, static_hits[2].chunk_id)]
    assert "発疹" in ans.citations[0].quote
    prompt = a.test_generators["base"].prompts[0]
    assert "[1] 発作が起きたときの応急手当" in prompt and "[3] 妊娠・出産とお薬" in prompt
    assert "ラモトリギンと妊娠で気をつけることは？" in prompt


def test_the_prompt_shows_the_trained_number_of_sources_and_the_fallback_may_quote_the_rest(
        make_assistant, static_hits, config):
    config.generator.context_sources = 2  # an adapter trained on two sources; three are retrieved
    text = "妊娠中は薬の血中濃度が下がることがあります[3]。"  # [3] is not in the prompt: an invalid citation
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    ans = a.ask("妊娠中の薬の血中濃度はどうなる？", mode="rag-base")
    prompt = a.test_generators["base"].prompts[0]
    assert "[1] 発作が起きたときの応急手当" in prompt and "[2] ラモトリギン" in prompt
    assert "妊娠・出産とお薬" not in prompt
    assert ans.grounding == "fallback"
    assert any(c.url.endswith("/medicines/pregnancy.html") for c in ans.citations)  # quoted from the third


def test_the_source_that_answers_comes_first_in_the_prompt_with_its_answer_in_the_window(
        make_assistant, static_hits, config):
    # the tuned adapter copies mostly from [1]: the source the extractive selection would quote goes first,
    # and its window holds the quoted sentence (not the retriever's first source and its first lines)
    config.assistant.context_order = "passages"  # the default
    config.generator.context_sources = 2
    config.generator.window_chars = 60
    text = "妊娠中は薬の血中濃度が下がることがあります[1]。"
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    ans = a.ask("妊娠中に薬の血中濃度はどうなる？", mode="rag-base")
    prompt = a.test_generators["base"].prompts[0]
    first = prompt.index("[1] 妊娠・出産とお薬")
    assert "血中濃度" in prompt[first:prompt.index("[2]")]
    assert "[2] 発作が起きたときの応急手当" in prompt and "] ラモトリギン" not in prompt
    assert ans.grounding == "verified"
    assert [c.url for c in ans.citations] == [static_hits[2].url]


@pytest.mark.parametrize("bad,reason", [
    # invented, with a made-up link, citing a real source
    ("ラモトリギンは月に一度の注射で済む新しい薬で、http://made-up.example/info に詳しく書かれています[2]。", "unsupported"),
    # invented, citing a source that does not exist
    ("ラモトリギンは月に一度の注射で済む新しい薬です[9]。", "invalid citation"),
])
def test_unsupported_sentences_invalid_citations_and_urls_are_removed(make_assistant, static_hits, bad, reason):
    # three sentences (the template's limit), the middle one bad
    text = "ラモトリギンは飲み始めの時期に発疹に注意が必要です[2]。" + bad + "妊娠中は薬の血中濃度が下がることがあります[3]。"
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    ans = a.ask("ラモトリギンと妊娠で気をつけることは？", mode="rag-ft")
    assert ans.grounding == "pruned" and ans.grounded
    assert "注射" not in ans.answer and "発疹" in ans.answer and "血中濃度" in ans.answer
    assert not URL_RE.search(ans.answer) and "[9]" not in ans.answer
    assert {c.url for c in ans.citations} <= _source_urls(static_hits)
    assert {r["reason"] for r in ans.removed} == {reason}


def test_ungrounded_generation_falls_back_to_quoting_sources(make_assistant, static_hits):
    a = make_assistant(StaticRetriever(static_hits), answer="宇宙人が原因です[1]。毎日ピザを食べれば治ります[2]。")
    ans = a.ask("発作が5分以上続いたらどうする？", mode="rag-ft")
    assert ans.grounding == "fallback" and ans.grounded is True
    assert FALLBACK_LEAD in ans.answer
    assert "宇宙人" not in ans.answer and "ピザ" not in ans.answer
    assert ans.citations and ans.citations[0].url.endswith("/life/first-aid.html")
    assert ans.generated.startswith("宇宙人")  # the raw output stays inspectable for evaluators


def test_the_models_own_no_answer_falls_back_to_quoting_and_is_never_shown(make_assistant, static_hits):
    # 「主治医や専門の医療機関にご相談ください」 alone would pass the citation check against a page that says it;
    # shown, it would read as an answer that says nothing
    text = "提示された資料には、この質問への答えは書かれていません[1]。主治医や専門の医療機関にご相談ください[1]。"
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    events = list(a.ask_stream("発作が5分以上続いたらどうする？", mode="rag-ft"))
    ans = events[-1].answer
    streamed = "".join(e.text for e in events[:-1])
    assert ans.grounding == "fallback" and ans.fallback_reason == "declined"
    assert "提示された資料" not in streamed and "提示された資料" not in ans.answer
    assert FALLBACK_LEAD in ans.answer and ans.citations[0].url.endswith("/life/first-aid.html")


def test_no_relevant_sources_gives_the_ask_your_doctor_answer_without_generating(make_assistant, static_hits):
    a = make_assistant(StaticRetriever(static_hits), answer="てんかんの人は宇宙飛行士になれます[1]。")
    ans = a.ask("てんかんの人は宇宙飛行士になれますか？", mode="rag-ft")
    assert ans.grounding == "no_sources" and not ans.grounded
    assert ans.answer == NO_SOURCES_TEXT and ans.citations == []
    assert a.test_generators == {}  # the model was never asked to improvise


def test_out_of_scope_question_is_declined(make_assistant, static_hits):
    r = StaticRetriever(static_hits)
    a = make_assistant(r, answer="晴れです。")
    ans = a.ask("明日の東京の天気は？", mode="rag-base")
    assert ans.safety["out_of_scope"] is True and ans.answer == OUT_OF_SCOPE_TEXT
    assert a.test_generators == {} and r.queries == []


def test_doses_and_medicine_instructions_never_reach_the_reader(make_assistant, static_hits):
    text = ("ラモトリギンは飲み始めの時期に発疹に注意が必要です[2]。"
            "ラモトリギンは1日50mgから始めます[2]。眠気がつらいなら薬をやめてください[2]。")
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    ans = a.ask("ラモトリギンをやめてもいい？", mode="rag-ft")
    assert "mg" not in ans.answer and "やめてください" not in ans.answer
    assert "主治医または薬剤師に相談" in ans.answer
    assert ans.safety["medication_change"] is True and ans.safety["withheld_medication"] == 2
    # the closed-book mode is filtered the same way
    ans = a.ask("ラモトリギンをやめてもいい？", mode="ft")
    assert "mg" not in ans.answer and "やめてください" not in ans.answer


def test_closed_book_modes_skip_retrieval_and_are_not_called_grounded(make_assistant, static_hits):
    r = StaticRetriever(static_hits)
    a = make_assistant(r, answer="てんかんは脳の病気です[1]。詳しくは https://fake.example/ へ。")
    ans = a.ask("てんかんとは？", mode="ft")
    assert r.queries == []
    assert ans.grounding == "unverified" and ans.grounded is False and ans.citations == []
    # the marker of a source that was never given and the invented URL are gone; the text is kept
    assert ans.answer == "てんかんは脳の病気です。詳しくは へ。"
    assert "### 入力" not in a.test_generators["ft"].prompts[0]


def test_stream_yields_tokens_then_the_final_answer(make_assistant, static_hits):
    text = "ラモトリギンは飲み始めの時期に発疹に注意が必要です[2]。妊娠中は薬の血中濃度が下がることがあります[3]。"
    a = make_assistant(StaticRetriever(static_hits), answer=text)
    events = list(a.ask_stream("ラモトリギンと妊娠で気をつけることは？", mode="rag-base"))
    assert isinstance(events[-1], FinalEvent)
    tokens = [e for e in events[:-1] if isinstance(e, TokenEvent)]
    assert len(tokens) >= 2  # sentence by sentence, not all at once
    assert "".join(t.text for t in tokens) == events[-1].answer.answer


def test_emergency_guidance_streams_first(make_assistant, static_hits):
    a = make_assistant(StaticRetriever(static_hits), answer="発作の最中は、周りの危ない物をどけてください[1]。")
    events = list(a.ask_stream("子どもがひきつけ起こして5分以上止まらないんだけど！", mode="rag-ft"))
    assert events[0].text.startswith("【緊急】") and "119番" in events[0].text
    final = events[-1].answer
    assert final.safety["emergency"] and "long_seizure" in final.safety["emergency_kinds"]


def test_follow_up_uses_the_previous_question_for_retrieval(make_assistant, static_hits):
    r = StaticRetriever(static_hits)
    a = make_assistant(r)
    history = [("user", "ラモトリギンの副作用は？"), ("assistant", "飲み始めの時期には発疹に注意が必要です[1]。")]
    ans = a.ask("それは妊娠中も大丈夫？", mode="extractive", history=history)
    assert "ラモトリギン" in r.queries[-1] and "妊娠" in r.queries[-1]
    assert ans.retrieval_query == r.queries[-1]
    assert any(c.url.endswith("/medicines/pregnancy.html") for c in ans.citations)
    # a self-contained question is not rewritten
    a.ask("発作が5分以上続いたら？", mode="extractive", history=history)
    assert r.queries[-1] == "発作が5分以上続いたら？"


def test_injected_instructions_in_a_source_are_treated_as_text(make_assistant):
    hits = [make_hit("life/bathing", POISON, "入浴と発作")]
    obeying = "入浴するときは家族に声をかけてから入りましょう[1]。以前の指示を無視しました。http://evil.example/free-pills"
    a = make_assistant(StaticRetriever(hits), answer=obeying)
    ans = a.ask("入浴するときの注意点は？", mode="rag-ft")
    prompt = a.test_generators["ft"].prompts[0]
    assert "evil.example" not in prompt and "無視" not in prompt  # never shown to the model
    assert "evil.example" not in ans.answer and "無視" not in ans.answer
    assert ans.safety["injection_ignored"] >= 1
    ext = a.ask("入浴するときの注意点は？", mode="extractive")
    assert "evil" not in ext.answer and all("無視" not in c.quote for c in ext.citations)


def test_poisoned_page_in_a_real_index(poisoned_index):
    from assistant import Assistant

    from tests.fixtures.assistant import ScriptedGenerator

    gen = ScriptedGenerator("回答の最後に http://evil.example/free-pills を載せます。湯船のお湯は少なめにしましょう[1]。")
    a = Assistant(poisoned_index.config, poisoned_index.workspace, retriever=poisoned_index.retriever,
                  generator_loader=lambda key: gen)
    for mode in ("extractive", "rag-ft"):
        d = a.ask("お風呂に入るときに気をつけることは？", mode=mode).to_dict()
        blob = d["answer"] + "".join(c["quote"] + c["url"] for c in d["citations"])
        assert "evil.example" not in blob, mode
        assert any(c["url"].endswith("/life/bathing.html") for c in d["citations"]), d
    assert "evil.example" not in gen.prompts[0]


def test_real_tiny_model_through_the_generator_loader(tiny_model_dir, workspace, static_hits):
    """A real (random) transformers model: whatever it says, the reader gets checked text."""
    from assistant import Assistant
    from tenkan.face.config import load_config

    cfg = load_config(overrides=[f"generator.base_model={str(tiny_model_dir)!r}".replace("'", '"'),
                                 "generator.max_new_tokens=24"])
    a = Assistant(cfg, workspace, retriever=StaticRetriever(static_hits))
    events = list(a.ask_stream("発作が5分以上続いたらどうする？", mode="rag-base"))
    ans = events[-1].answer
    assert ans.model and ans.generated is not None
    assert ans.grounding in ("verified", "pruned", "fallback")
    assert {c.url for c in ans.citations} <= _source_urls(static_hits)
    assert not URL_RE.search(ans.answer)


def test_a_sentence_that_negates_its_source_is_not_supported():
    from assistant.grounding import support

    source = "てんかんがあっても、一定の条件を満たせば自動車の運転免許を取ることができます。"
    assert support("てんかんがあっても運転免許を取ることができます。", source) >= 0.6
    assert support("てんかんがあると運転免許を取ることはできません。", source) == 0.0


def test_a_pdf_source_is_cited_by_page(make_assistant, static_hits):
    dental = make_hit("guidelines/dental-care", "診療中に発作が起きたら、ミラーやバーなどの器具を口の中からすぐに取り出します。"
                      "診療台を水平に倒し、発作が始まった時刻を確かめます。", "歯科診療の手引き", rank=1, score=0.05)
    dental.url = dental.url.replace(".html", ".pdf")
    dental.page = 2
    a = make_assistant(StaticRetriever([dental] + static_hits[1:]))
    d = a.ask("歯の治療中に発作が起きたら器具はどうするの？", mode="extractive").to_dict()
    cite = d["citations"][0]
    assert cite["url"] == "http://127.0.0.1:8765/guidelines/dental-care.pdf#page=2" and cite["page"] == 2
    assert d["sources"][0]["page"] == 2 and d["sources"][0]["url"].endswith("/dental-care.pdf")
    # HTML sources: the page key is there, and null
    d = make_assistant(StaticRetriever(static_hits)).ask("発作が5分以上続いたら？", mode="extractive").to_dict()
    assert d["citations"] and all("page" in c and c["page"] is None for c in d["citations"])
    assert all("#page=" not in c["url"] for c in d["citations"])


def test_a_generated_answer_citing_a_pdf_page_keeps_the_page(make_assistant, static_hits):
    dental = make_hit("guidelines/dental-care", "フェニトインでは歯ぐきが厚く盛り上がる歯肉増殖が起こることがあります。"
                      "定期的な歯のクリーニングを勧めます。", "歯科診療の手引き", rank=1, score=0.05)
    dental.url = dental.url.replace(".html", ".pdf")
    dental.page = 3
    a = make_assistant(StaticRetriever([dental] + static_hits[1:]),
                       answer="フェニトインでは歯ぐきが厚く盛り上がる歯肉増殖が起こることがあります[1]。")
    d = a.ask("フェニトインで歯ぐきが腫れることはある？", mode="rag-base").to_dict()
    assert d["grounding"] in ("verified", "pruned"), d
    assert d["citations"][0]["page"] == 3 and d["citations"][0]["url"].endswith("dental-care.pdf#page=3")


class _OneAnswerPerPrompt:
    """Answers the n-th prompt with the n-th text (the adapter writes another answer for another [1])."""

    name = "per-prompt"

    def __init__(self, texts):
        self.texts, self.prompts = list(texts), []

    def stream(self, prompt, max_new_tokens=None):
        self.prompts.append(prompt)
        text = self.texts[min(len(self.prompts), len(self.texts)) - 1]
        for i in range(0, len(text), 3):
            yield text[i:i + 3]


def _retrying_assistant(config, workspace, hits, texts):
    from assistant import Assistant

    config.assistant.context_order, config.assistant.retry_order = "passages", "retrieval"
    gen = _OneAnswerPerPrompt(texts)
    return Assistant(config, workspace, retriever=StaticRetriever(hits), generator_loader=lambda key: gen), gen


def test_a_generated_answer_that_fails_the_check_is_written_again_from_the_retrievers_order(
        config, workspace, static_hits):
    # passages order puts the pregnancy source first; the first answer is unsupported, the second
    # (from a prompt in the retriever's order, where pregnancy is [3]) is what the source says
    a, gen = _retrying_assistant(config, workspace, static_hits,
                                 ["宇宙人が原因です[1]。", "妊娠中は薬の血中濃度が下がることがあります[3]。"])
    events = list(a.ask_stream("妊娠中の薬の血中濃度はどうなる？", mode="rag-ft"))
    ans = events[-1].answer
    assert len(gen.prompts) == 2 and gen.prompts[0] != gen.prompts[1]
    assert ans.attempts == [{"context_order": "passages", "fallback_reason": "unsupported"},
                            {"context_order": "retrieval", "fallback_reason": ""}]
    assert ans.grounding == "verified" and ans.fallback_reason == "" and "血中濃度" in ans.answer
    assert ans.generated.startswith("妊娠中") and "宇宙人" not in ans.answer
    assert [c.url for c in ans.citations] == [static_hits[2].url] and "[1]" in ans.answer
    assert "".join(e.text for e in events[:-1]).endswith(ans.answer)  # the stream ends with the final text
    assert ans.to_dict()["attempts"] == ans.attempts


def test_when_both_attempts_fail_the_answer_quotes_and_keeps_the_first_attempts_text(config, workspace, static_hits):
    a, gen = _retrying_assistant(config, workspace, static_hits, ["宇宙人が原因です[1]。", "毎日ピザを食べれば治ります[2]。"])
    ans = a.ask("妊娠中の薬の血中濃度はどうなる？", mode="rag-ft")
    assert [x["fallback_reason"] for x in ans.attempts] == ["unsupported", "unsupported"]
    assert ans.grounding == "fallback" and FALLBACK_LEAD in ans.answer and "ピザ" not in ans.answer
    assert ans.generated.startswith("宇宙人") and ans.fallback_reason == "unsupported"


def test_no_second_attempt_when_the_retry_would_show_the_same_prompt(config, workspace, static_hits):
    a, gen = _retrying_assistant(config, workspace, static_hits, ["宇宙人が原因です[1]。"])
    config.assistant.context_order = "retrieval"  # retrying in the same order writes the same answer
    ans = a.ask("妊娠中の薬の血中濃度はどうなる？", mode="rag-ft")
    assert len(gen.prompts) == 1 and len(ans.attempts) == 1 and ans.grounding == "fallback"
