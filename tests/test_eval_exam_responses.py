"""``tenkan eval --exam FILE --responses FILE`` on IgakuQA's published GPT-4 predictions
(a 15-question subset, tests/fixtures/igakuqa/README.md) reproduces the accuracy one
computes by comparing predictions with answers by hand, for any subset of questions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures" / "igakuqa"
EXAM = FIX / "112-A_subset.jsonl"
GPT4 = FIX / "112-A_gpt4_subset.jsonl"


def _lines(path):
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def _by_hand(exam_rows, pred_rows) -> float:
    """IgakuQA's rule, written out: the prediction split at commas, sorted, equals the sorted answer."""
    preds = {r["problem_id"]: r["prediction"] for r in pred_rows}
    right = [sorted(preds.get(q["problem_id"], "").split(",")) == sorted(q["answer"]) for q in exam_rows]
    return sum(right) / len(right)


def _cli(home, *args):
    from tenkan.face.cli.main import main

    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = main(["--home", str(home), "eval", *args])
    return rc, buf.getvalue()


def test_full_fixture_accuracy_is_eleven_of_fifteen(tmp_path):
    rc, out = _cli(tmp_path / "home", "--exam", str(EXAM), "--responses", str(GPT4), "--json")
    assert rc == 0
    res = json.loads(out.strip().splitlines()[-1])
    m = res["modes"]["112-A_gpt4_subset"]
    assert m["n"] == 15 and m["accuracy"] == pytest.approx(11 / 15) == pytest.approx(_by_hand(_lines(EXAM), _lines(GPT4)))
    assert m["exact_match"] == pytest.approx(11 / 15)
    metrics = json.loads((Path(res["run_dir"]) / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["scoring"] == "prediction" and metrics["exam"]["figures"] == 1
    assert metrics["responses"]["112-A_gpt4_subset"]["missing"] == 0
    rows = {r["problem_id"]: r for r in map(json.loads, (Path(res["run_dir"]) / "per_question.jsonl").open())}
    assert rows["112A12"]["predicted"] == ["d", "e"] and rows["112A12"]["accuracy"] == 1
    assert rows["112A14"]["accuracy"] == 0 and rows["112A14"]["predicted"] == []  # a sentence is no answer


@pytest.mark.parametrize("seed", range(6))
def test_any_subset_reproduces_the_hand_computed_accuracy(tmp_path, seed):
    rng = random.Random(seed)
    exam_rows, pred_rows = _lines(EXAM), _lines(GPT4)
    subset = rng.sample(exam_rows, rng.randint(3, len(exam_rows)))
    sub = tmp_path / "subset.jsonl"
    sub.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in subset), encoding="utf-8")
    # the full prediction file: predictions for questions outside the subset are ignored
    rc, out = _cli(tmp_path / "home", "--exam", str(sub), "--responses", str(GPT4), "--json")
    assert rc == 0
    got = json.loads(out.strip().splitlines()[-1])["modes"]["112-A_gpt4_subset"]
    assert got["n"] == len(subset)
    assert got["accuracy"] == pytest.approx(_by_hand(subset, pred_rows))


def test_several_prediction_files_are_compared(tmp_path):
    """A second predictor (every answer 'a') beside GPT-4: both scored, their difference
    reported with n and an interval."""
    all_a = tmp_path / "all_a.jsonl"
    rows = _lines(EXAM)
    all_a.write_text("".join(json.dumps({"problem_id": q["problem_id"], "prediction": "a"}) + "\n" for q in rows),
                     encoding="utf-8")
    rc, out = _cli(tmp_path / "home", "--exam", str(EXAM), "--responses", str(GPT4), "--responses", str(all_a))
    assert rc == 0
    assert "112-A_gpt4_subset − all_a" in out and "n=15" in out
    run = sorted((tmp_path / "home" / "runs").iterdir())[-1]
    m = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert m["modes"]["all_a"]["accuracy"] == pytest.approx(_by_hand(rows, _lines(all_a)))
    (d,) = m["differences"]
    assert d["n"] == 15 and d["diff"] == pytest.approx(11 / 15 - 1 / 15) and d["low"] is not None
    assert "verdict" in d and (run / "report.html").is_file()


def test_missing_predictions_count_as_wrong_and_are_reported(tmp_path):
    part = tmp_path / "part.jsonl"
    part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _lines(GPT4)[:10]), encoding="utf-8")
    rc, out = _cli(tmp_path / "home", "--exam", str(EXAM), "--responses", str(part), "--json")
    m = json.loads(out.strip().splitlines()[-1])["modes"]["part"]
    assert m["n"] == 15 and m["missing"] == 5
    assert m["accuracy"] == pytest.approx(_by_hand(_lines(EXAM), _lines(part)))


def test_bad_prediction_files_are_clear_errors(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"problem_id": "112A1"}\n', encoding="utf-8")
    assert _cli(tmp_path / "home", "--exam", str(EXAM), "--responses", str(bad))[0] == 1
    assert "prediction" in capsys.readouterr().err
    other = tmp_path / "other.jsonl"
    other.write_text('{"problem_id": "116F9", "prediction": "a"}\n', encoding="utf-8")
    assert _cli(tmp_path / "home", "--exam", str(EXAM), "--responses", str(other))[0] == 1
    assert "no prediction for any question" in capsys.readouterr().err
    assert not (tmp_path / "home" / "runs").exists() or not any((tmp_path / "home" / "runs").iterdir())
    assert _cli(tmp_path / "home", "--responses", str(GPT4))[0] == 1


@pytest.mark.parametrize("pred,letters", [("d", {"d"}), ("d,e", {"d", "e"}), ("e, d", {"d", "e"}), ("Ｄ", {"d"}),
                                          ("d、e", {"d", "e"}), ("de", None), ("答えはd", None), ("", None),
                                          ("b: 上顎癌再発が最も考えられる", None)])
def test_prediction_parsing(pred, letters):
    from eval.exam import parse_prediction

    assert parse_prediction(pred) == letters
