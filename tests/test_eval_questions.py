"""The frozen evaluation set: valid, and refused when it no longer matches its sha256; a question set of
one's own goes through the same check once its sha256 is recorded."""

import json
import shutil

import pytest

from eval.questions import QUESTIONS_FILE, _page_text, load_questions, main, record, validate
from index.urls import page_key
from tenkan.errors import EvalError


def test_frozen_set_loads_and_is_valid():
    qs = load_questions()
    assert len(qs) >= 80
    assert {q["type"] for q in qs} == {"fact", "procedure", "emergency", "out-of-scope"}
    assert validate(qs) == []


def test_edited_set_is_refused(tmp_path):
    from tenkan.paths import EVAL_DIR

    shutil.copy(EVAL_DIR / "questions.jsonl", tmp_path / "questions.jsonl")
    shutil.copy(EVAL_DIR / "manifest.json", tmp_path / "manifest.json")
    assert load_questions(tmp_path / "questions.jsonl")
    with open(tmp_path / "questions.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "X", "question": "追加？", "urls": [], "reference": "-", "type": "fact"}) + "\n")
    with pytest.raises(EvalError, match="sha256"):
        load_questions(tmp_path / "questions.jsonl")


def test_validation_catches_bad_urls_types_duplicates_and_copied_text():
    page = "/life/bathing.html"
    copied = _page_text(page, "shift_jis")[400:440]
    base = {"reference": "r", "urls": ["http://127.0.0.1:8765" + page], "type": "fact"}
    qs = [
        {"id": "1", "question": "お風呂は一人で入っていい？", **base},
        {"id": "2", "question": "お風呂は一人で入っていい?", **base},
        {"id": "3", "question": "別の質問です？", **{**base, "urls": ["http://127.0.0.1:8765/nope.html"]}},
        {"id": "4", "question": "種類が変？", **{**base, "type": "trivia"}},
        {"id": "5", "question": copied, **base},
    ]
    problems = "\n".join(validate(qs, min_count=1))
    assert "2: same question as 1" in problems
    assert "3: url" in problems and "4: type" in problems
    assert "5: question copies text of /life/bathing.html" in problems
    assert page_key("http://127.0.0.1:41234/life/bathing.html#x") == page


def test_own_question_set_needs_its_sha256_recorded(tmp_path, capsys):
    from eval.inputs import load_question_file

    qpath = tmp_path / "mine.jsonl"
    qpath.write_text(json.dumps({"id": "m1", "question": "発作のときは？", "urls": [], "reference": "r",
                                 "type": "fact"}, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="no manifest.json") as err:
        load_question_file(qpath)
    assert f"python -m eval.questions --record {qpath}" in err.value.hint
    assert main(["--record", str(qpath)]) == 0
    assert "recorded" in capsys.readouterr().out
    s = load_question_file(qpath, "mine")
    assert [it.id for it in s.items] == ["m1"] and s.sha256 == record(qpath)["sha256"]
    # a second set beside it keeps the first one's entry
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"question": "薬は？"}, ensure_ascii=False) + "\n", encoding="utf-8")
    record(other)
    files = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert set(files) == {"mine.jsonl", "other.jsonl"}
    qpath.write_text(qpath.read_text(encoding="utf-8").replace("発作", "ほっさ"), encoding="utf-8")
    with pytest.raises(EvalError, match="sha256"):
        load_question_file(qpath)
    # a file that is no question set is not recorded
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["--record", str(bad)]) == 2
    assert "bad.jsonl" not in json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_the_user_wording_set_loads_by_half_with_its_gold_pages():
    from eval.inputs import load_question_file
    from eval.questions import STYLES_FILE, load_styles

    test = load_question_file(STYLES_FILE, "styles", split="test")
    assert test.name == "styles-test"
    want = load_styles(split="test")
    assert [it.id for it in test.items] == [r["id"] for r in want]
    first_in_scope = next(r for r in want if r["gold_pages"])
    item = next(it for it in test.items if it.id == first_in_scope["id"])
    assert item.gold_urls == first_in_scope["gold_pages"] and item.reference == "" and item.type == first_in_scope["style"]
    with pytest.raises(EvalError, match="no 'split' field"):
        load_question_file(QUESTIONS_FILE, "demo", split="test")
