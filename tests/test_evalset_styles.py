"""The frozen style and emergency sets: counts as promised, spans verbatim on the demo site,
the split reproducible, and refused when a file no longer matches its sha256."""

import importlib.util
import json
import shutil
from collections import Counter

import pytest

from eval.questions import _page_text, _pages, load_emergencies, load_styles
from tenkan.errors import EvalError
from tenkan.paths import EVAL_DIR

IN_SCOPE = ("casual", "hiragana", "typo", "everyday_words", "symptom", "third_person", "story", "short",
            "mixed_english")
KINDS = ("long_seizure", "repeated_seizures", "no_recovery", "breathing", "injury", "first_seizure", "water",
         "pregnancy")
EM_STYLES = ("hiragana", "katakana", "typo", "mixed_english", "run_on", "casual", "kanji")


def _split_script():
    spec = importlib.util.spec_from_file_location("split_styles", EVAL_DIR / "split_styles.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_styles_counts_per_style_and_split():
    rows = load_styles()
    assert len(rows) >= 200
    assert len({r["id"] for r in rows}) == len(rows)
    by_style = Counter(r["style"] for r in rows)
    assert set(by_style) == {*IN_SCOPE, "out_of_scope"}
    assert all(by_style[s] >= 18 for s in IN_SCOPE) and by_style["out_of_scope"] >= 34
    by_split = Counter((r["style"], r["split"]) for r in rows)
    assert {r["split"] for r in rows} == {"tune", "test"}
    assert all(by_split[(s, sp)] >= 9 for s in by_style for sp in ("tune", "test"))


def test_styles_gold_pages_and_must_mention_are_verbatim_on_the_demo_site():
    pages = _pages()
    texts = {p: _page_text(p, enc) for p, (_, enc) in pages.items()}
    covered = Counter()
    for r in load_styles():
        if r["style"] == "out_of_scope":
            assert r["gold_pages"] == [] and r["must_mention"] == [], r["id"]
            continue
        assert r["gold_pages"] and 1 <= len(r["must_mention"]) <= 3, r["id"]
        assert r["gold_pages"][0] != "/faq.html", r["id"]
        for p in r["gold_pages"]:
            assert p in pages and p not in ("/index.html", "/about.html") and not p.startswith("/staff/"), r["id"]
            covered[p] += 1
        for span in r["must_mention"]:
            assert any(span in texts[p] for p in r["gold_pages"]), (r["id"], span)
    sections = [p for p in pages if p.split("/")[1] in ("basics", "treatment", "medicines", "life")]
    assert all(covered[p] >= 3 for p in sections), [p for p in sections if covered[p] < 3]


def test_emergencies_counts_per_kind_style_and_split():
    rows = load_emergencies()
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["emergency"] == bool(r["kinds"]) and set(r["kinds"]) <= set(KINDS) for r in rows)
    assert {r["style"] for r in rows} == set(EM_STYLES)
    em = Counter((r["emergency"], r["split"]) for r in rows)
    assert em[(True, "tune")] + em[(True, "test")] >= 84 and em[(False, "tune")] + em[(False, "test")] >= 84
    assert em[(True, "tune")] >= 42 and em[(True, "test")] >= 42
    kinds = Counter((k, r["split"]) for r in rows for k in r["kinds"])
    assert all(kinds[(k, sp)] >= 4 for k in KINDS for sp in ("tune", "test"))
    for emergency in (True, False):
        styles = Counter(r["style"] for r in rows if r["emergency"] is emergency)
        assert all(styles[s] >= 12 for s in ("hiragana", "katakana", "typo", "mixed_english", "run_on"))


def test_split_filter_returns_only_that_half():
    for load in (load_styles, load_emergencies):
        every, tune, test = load(), load(split="tune"), load(split="test")
        assert tune and all(r["split"] == "tune" for r in tune)
        assert test and all(r["split"] == "test" for r in test)
        assert len(tune) + len(test) == len(every)
        with pytest.raises(EvalError, match="split"):
            load(split="dev")


@pytest.mark.parametrize("name,load", [("styles.jsonl", load_styles), ("emergencies.jsonl", load_emergencies)])
def test_edited_copy_is_refused(tmp_path, name, load):
    shutil.copy(EVAL_DIR / name, tmp_path / name)
    shutil.copy(EVAL_DIR / "manifest.json", tmp_path / "manifest.json")
    assert load(path=tmp_path / name)
    lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["split"] = "test" if row["split"] == "tune" else "tune"
    (tmp_path / name).write_text("\n".join([json.dumps(row, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="sha256") as exc:
        load(path=tmp_path / name)
    assert "--freeze" in (exc.value.hint or "")
    with pytest.raises(TypeError):  # the check cannot be skipped
        load(path=tmp_path / name, verify=False)


def test_split_script_validates_and_reproduces_the_split():
    mod = _split_script()
    styles, emergencies = mod.read(EVAL_DIR / "styles.jsonl"), mod.read(EVAL_DIR / "emergencies.jsonl")
    assert mod.validate_styles(styles) == [] and mod.validate_emergencies(emergencies) == []
    for name, rows, strata in (("styles.jsonl", styles, mod.style_strata),
                               ("emergencies.jsonl", emergencies, mod.emergency_strata)):
        fresh = [{**r, "split": ""} for r in rows]
        assert mod.reproduce(fresh, strata, mod.BATCHES[name]) == len(rows)
        assert [r["split"] for r in fresh] == [r["split"] for r in rows]


def test_reports_cut_the_sets_into_the_same_batches_as_the_split_script():
    from eval.questions import BATCHES, batch_of

    assert BATCHES == _split_script().BATCHES
    assert batch_of("S-243", "styles.jsonl") == 1 and batch_of("S-244", "styles.jsonl") == 2
    assert batch_of("E-001", "emergencies.jsonl") == 1 and batch_of("E-188", "emergencies.jsonl") == 2
    assert batch_of("S-355", "styles.jsonl") == 2 and batch_of("S-356", "styles.jsonl") == 3
    assert batch_of("E-297", "emergencies.jsonl") == 2 and batch_of("E-298", "emergencies.jsonl") == 3
    assert batch_of("Q-001", "questions.jsonl") == 1  # a set without batches is one batch
