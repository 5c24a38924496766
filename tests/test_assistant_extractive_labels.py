"""Quoted sentences carry the heading of their section when it names what they describe
(a symptom described without its seizure type is the common case in patients' questions)."""

from assistant.extractive import section_headings, select_passages
from assistant.grounding import Source

PAGE = ("全般発作\n"
        "強直間代発作（いわゆる大発作）の経過\n"
        "典型的には次のような経過をたどります。\n"
        "- 強直期：突然意識を失い、全身が硬く突っ張ります。\n"
        "- 間代期：手足や全身が、がくがくとリズミカルにけいれんします。口から泡が出たり、舌や頬の内側をかんだり、尿がもれたりすることがあります。\n"
        "ミオクロニー発作・脱力発作\n"
        "- 脱力発作：全身の力が一瞬で抜けて、その場に崩れ落ちる発作です。\n")


def _src(text, n=1, page=None, title="全般発作"):
    return Source(n, f"d-x#{n}", f"http://127.0.0.1/{n}.html", title, text, page)


def test_a_described_symptom_is_shown_under_its_sections_name():
    [p, *_] = select_passages("舌をかんで尿がもれた", [_src(PAGE)], n=1)
    assert p.quotes[0].text.startswith("口から泡が出たり")
    assert p.lines()[0] == "【強直間代発作（いわゆる大発作）の経過】口から泡が出たり、舌や頬の内側をかんだり、尿がもれたりすることがあります。"
    assert "【" not in "".join(p.verbatim)  # the label is shown, the quote stays verbatim


def test_a_sentence_with_its_own_label_and_a_section_already_named_get_none():
    [p] = select_passages("全身の力が抜けて崩れ落ちる", [_src(PAGE)], n=1)
    assert p.heading == "" and p.lines()[0].startswith("脱力発作：")
    two = select_passages("尿がもれた、泡が出た、意識を失い突っ張る", [_src(PAGE), _src(PAGE, n=2)], n=3, per_source=1)
    assert [p.heading for p in two].count("強直間代発作（いわゆる大発作）の経過") == 1


def test_the_page_title_and_pdf_line_breaks_are_not_labels():
    assert section_headings("全般発作\n全般発作は左右の脳が同時に巻き込まれる発作です。") == ["", "全般発作"]
    [p] = select_passages("左右の脳が巻き込まれる", [_src("全般発作\n全般発作は左右の脳が同時に巻き込まれる発作です。")], n=1)
    assert p.heading == ""  # the title is what the citation shows
    pdf = "2.2 予約の取り方\n睡眠不足や空腹は発作のきっかけになりやすいため\n前の晩はよく眠るよう伝えます。"
    assert section_headings(pdf, numbered_only=True)[-1] == "2.2 予約の取り方"
    assert section_headings(pdf)[-1] == "睡眠不足や空腹は発作のきっかけになりやすいため"  # what the HTML rule would take


def test_a_sentence_that_gives_a_reason_brings_the_statement_it_explains():
    text = ("発作中に口の中へ物を入れてはいけない理由\n"
            "タオルや割りばしを口に入れる方法が昔は言われていましたが、現在は行ってはいけない対応とされています。"
            "むしろ口に入れた物で歯が折れたり、窒息したりする危険のほうが大きいためです。")
    [p] = select_passages("口に物を入れて窒息する危険", [_src(text)], n=1)
    assert [q.text[:6] for q in p.quotes] == ["タオルや割り", "むしろ口に入"]


def test_a_heading_line_is_never_quoted_as_a_sentence_of_the_answer():
    text = ("ラモトリギンを処方されたときに医師や薬剤師に伝えたいこと\n"
            "ほかに飲んでいる薬があれば、ラモトリギンを処方されたときに必ず伝えてください。")
    passages = select_passages("ラモトリギンを処方されたとき医師に伝えること", [_src(text, title="ラモトリギン")], n=3)
    assert [q.text for p in passages for q in p.quotes] == [text.split("\n")[1]]


def test_a_medicine_name_the_tokenizer_splits_counts_once():
    from assistant.grounding import _tokens

    assert _tokens("バルプロ酸で太る") == {"バルプロ", "体重"}  # not バルプロ + 酸: the name would weigh twice
    assert "葉酸" in _tokens("葉酸とバルプロ酸")
