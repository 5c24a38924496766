"""Quoted sentences carry the heading of their section when it names what they describe
(a symptom described without its seizure type is the common case in patients' questions)."""

from assistant.extractive import ExtractiveWeights, defined_term, items_under, section_headings, select_passages
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
    # the sentence that describes it is the second of a list item (「- 間代期：…。口から泡が出たり…」): the item is
    # shown whole, under its lead-in and the section's name
    [p, *_] = select_passages("舌をかんで尿がもれた", [_src(PAGE)], n=1)
    assert p.lines()[0] == "【強直間代発作（いわゆる大発作）の経過】典型的には次のような経過をたどります。"
    assert "- 間代期：手足や全身が、がくがくとリズミカルにけいれんします。口から泡が出たり、舌や頬の内側をかんだり、" \
           "尿がもれたりすることがあります。" in p.items
    assert "【" not in "".join(p.verbatim)  # the label is shown, the quote stays verbatim


def test_a_list_right_under_its_heading_is_shown_under_it_with_its_items_of_several_sentences_whole():
    page = ("脳波検査を受ける前の準備\n"
            "- 前日に髪をよく洗い、当日は整髪料を付けないでください。電極が付きにくくなります。\n"
            "- 睡眠時の記録のために、前夜の睡眠時間を短めにするよう指示されることがあります。病院の指示に従ってください。\n"
            "- 検査後は、電極を付けたのりを洗い流すため、帰宅後に髪を洗うとよいでしょう。\n"
            "検査の流れ\n"
            "一般的な外来での脳波検査は、1時間前後かかります。\n")
    assert section_headings(page)[1:4] == ["脳波検査を受ける前の準備"] * 3
    [p, *_] = select_passages("脳波の前に髪を洗う？", [_src(page, title="脳波検査")], n=1)
    assert p.heading == "脳波検査を受ける前の準備"
    assert p.quotes[0].text == "- 前日に髪をよく洗い、当日は整髪料を付けないでください。電極が付きにくくなります。"
    assert "- 検査後は、電極を付けたのりを洗い流すため、帰宅後に髪を洗うとよいでしょう。" in p.items


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

    assert _tokens("バルプロ酸で痩せる") == {"バルプロ", "体重"}  # not バルプロ + 酸: the name would weigh twice
    assert "葉酸" in _tokens("葉酸とバルプロ酸")


STOPPING = ("薬をやめたくなったとき\n"
            "発作がしばらくないと、もう治ったのではと思って薬をやめたくなることがあります。\n"
            "しかし、薬を急にやめると、発作がぶり返したり長く続いたりする危険があります。\n"
            "薬を減らすかどうかは、主治医と相談して決めます。\n"
            "旅行のとき\n"
            "旅行先でも、薬はいつもの時間に飲みましょう。\n")


def test_the_best_sentence_brings_the_one_that_goes_on_with_it():
    # the sentence that matches the question's words names the topic; the next one says what about it
    q = "発作がないから薬をやめたい"
    [first, *_] = select_passages(q, [_src(STOPPING, title="薬")], n=1)
    assert [x.position for x in first.quotes] == [1, 2]
    assert "危険があります" in "".join(first.lines())
    [alone] = select_passages(q, [_src(STOPPING, title="薬")], n=1, follow=False)
    assert len(alone.quotes) == 1


SLEEP = ("睡眠\n"
         "薬を飲んでいる人は、睡眠を十分にとることが大切です。\n"
         "寝不足は発作のきっかけになります。\n")
SLEEP_AND_TAPERING = "薬を飲んでいる人は睡眠を十分にとることが大切？薬を減らせるか相談したい"


def _later_passage(stopping: str) -> list[int]:
    """The positions the passage from ``stopping`` (second to the sleep page) quotes."""
    passages = select_passages(SLEEP_AND_TAPERING, [_src(SLEEP, 1, title="睡眠"), _src(stopping, 2, title="薬")],
                               n=2, per_source=1)
    assert passages[0].source == 1
    return [x.position for x in next(p for p in passages if p.source == 2).quotes]


def test_a_later_passage_brings_the_next_sentence_only_when_it_leans_on_it():
    stopping = ("薬のやめ方\n"
                "発作が2年以上ないときは、薬を減らせるか主治医と相談することがあります。\n"
                "その場合も、時間をかけて少しずつ減らしていくのが基本です。\n")
    assert _later_passage(stopping) == [1, 2]
    # a next sentence that does not lean on it stays out of a later passage
    assert _later_passage(stopping.replace("その場合も、", "")) == [1]


def test_a_later_passage_brings_the_next_sentence_that_answers_too():
    # the next sentence leans on nothing but shares the question's words (it passed the floor itself): it comes with its
    # predecessor, in its place on the page, instead of waiting for a passage of its own
    stopping = ("薬のやめ方\n"
                "発作が2年以上ないときは、薬を減らせるか主治医と相談することがあります。\n"
                "薬を減らせるときは、主治医と相談して時間をかけて少しずつ減らします。\n")
    assert _later_passage(stopping) == [1, 2]


def test_a_passage_goes_on_while_its_sentences_answer_too():
    # 「腎臓が悪いと飲めない？」: the best sentence names the drug's route, the next gives its consequence, the third (passed
    # the floor: it names the kidneys too) is the answer
    page = ("レベチラセタムの特徴\n"
            "レベチラセタムは主に腎臓から尿に出ていきます。\n"
            "そのため、ほかの薬を飲んでいる高齢の方にも使いやすい薬です。\n"
            "腎臓の働きが弱い方では、薬が体にたまりやすくなります。\n"
            "錠剤のほか、ドライシロップもあります。\n")
    q = "レベチラセタムって腎臓が弱いと飲めない？"
    [p] = select_passages(q, [_src(page, title="レベチラセタム")], n=1)
    assert [x.position for x in p.quotes] == [1, 2, 3]
    # one that shares nothing with the question and leans on nothing does not come
    [p] = select_passages(q, [_src(page.replace("腎臓の働きが弱い方では", "夜に飲む方では"), title="レベチラセタム")], n=1)
    assert [x.position for x in p.quotes] == [1, 2]
    [p] = select_passages(q, [_src(page, title="レベチラセタム")], n=1, per_passage=2)
    assert [x.position for x in p.quotes] == [1, 2]
    [p] = select_passages(q, [_src(page, title="レベチラセタム")], n=1, per_passage=1)
    assert [x.position for x in p.quotes] == [1]


def test_the_sentence_after_a_list_comes_when_it_answers_too():
    page = ("食事療法\n"
            "食事療法の対象になる人\n"
            "ケトン食療法は、次のような人に行われます。\n"
            "- 薬を2種類以上試しても発作がおさまらない子ども\n"
            "- GLUT1欠損症の人\n"
            "子どもに多い治療ですが、大人に行われることもあります。\n"
            "栄養士が献立を考えます。\n")
    q = "ケトン食療法って大人にも行われる？"
    [p] = select_passages(q, [_src(page, title="食事療法")], n=1)
    assert p.items and p.after == ["子どもに多い治療ですが、大人に行われることもあります。"] and p.verbatim[-1] == p.after[0]
    # one that shares nothing with the question (and leans on nothing) stays out
    plain = page.replace("子どもに多い治療ですが、大人に行われることもあります。", "医師と相談しながら進めます。")
    [p] = select_passages(q, [_src(plain, title="食事療法")], n=1)
    assert p.items and p.after == []


def test_a_list_shown_once_though_two_sources_hold_it():
    # an item an earlier passage showed is not shown again under a later one (the page's first source holds the whole
    # page and a chunk of it retrieved on its own holds some of it again; here two lists of the page share an item)
    page = ("学校\n"
            "先生に伝えること\n"
            "先生には、次のことを伝えておきましょう。\n"
            "- 発作が起きたときの対応方法\n"
            "- 保護者の緊急連絡先\n")
    chunk = ("学校\n"
             "友だちへの説明\n"
             "友だちに説明するときは、次のことを伝えます。\n"
             "- 発作が起きたときの対応方法\n"
             "- うつる病気ではないこと\n")
    q = "先生や友だちに発作が起きたときの対応方法を伝えたい"
    passages = select_passages(q, [_src(page + chunk, 1, title="学校"), _src(chunk, 2, title="学校")], n=3)
    shown = [x for p in passages for x in p.items]
    assert shown.count("- 発作が起きたときの対応方法") == 1 and "- うつる病気ではないこと" in shown


def test_the_retrievers_first_source_keeps_a_passage():
    # the second source repeats the question's words in two sentences; the first, ranked first by the retriever,
    # shares fewer of them: it still gets the last passage
    first = "焦点発作\n片方の手が勝手に動く場合は、焦点発作のことが多いとされます。\n"
    second = ("発作の種類\n"
              "ミオクロニー発作では、意識ははっきりしていて、手が一瞬ピクピク動く発作がみられます。\n"
              "ピクピク動く発作は、意識がはっきりしている間に手に起こることがあります。\n")
    q = "意識ははっきりしてるのに、手が勝手にピクピク動く発作がある"
    sources = [_src(first, 1, title="焦点発作"), _src(second, 2, title="発作の種類")]
    assert [p.source for p in select_passages(q, sources, n=2, per_source=2)] == [2, 1]
    # ... only as the last passage: with room for one, the best sentence is quoted
    assert [p.source for p in select_passages(q, sources, n=1, per_source=2)] == [2]
    assert [p.source for p in select_passages(q, sources, n=3, per_source=2)] == [2, 2, 1]


def test_a_page_the_retriever_found_twice_keeps_a_passage():
    # the second and fourth sources are two chunks of one page (the retriever found it twice, near the top); the
    # third repeats the question's words in two sentences: the twice-found page still gets the last passage
    def chunk(text, n, page):
        return Source(n, f"{page}#{n}", f"http://127.0.0.1/{page}.html", page, text, None)
    q = "薬の副作用で眠気がひどくて仕事にならない"
    sleepy = "眠気\n薬の副作用で眠気がひどいときは、仕事の前に主治医に相談します。\n"
    dose = "副作用\n薬の副作用で眠気が強いときは、主治医が薬の量を見直すことがあります。\n"
    start = "副作用\n副作用は飲み始めに出やすいものです。\n"
    elderly = ("高齢者\n高齢者は薬の副作用で眠気が出やすく、仕事や家事にならないことがあります。\n"
               "高齢者では、薬の副作用の眠気がひどくて仕事にならず転ぶこともあります。\n")
    sources = [chunk(sleepy, 1, "a"), chunk(dose, 2, "se"), chunk(elderly, 3, "old"), chunk(start, 4, "se")]
    assert [p.source for p in select_passages(q, sources, n=3, per_source=2)] == [3, 1, 2]
    # a page found twice only further down (third and fourth) has no such claim: the best sentences are quoted
    sources = [chunk(sleepy, 1, "a"), chunk(elderly, 2, "old"), chunk(dose, 3, "se"), chunk(start, 4, "se")]
    assert [p.source for p in select_passages(q, sources, n=3, per_source=2)] == [2, 1, 2]


def test_following_stops_at_the_section_and_at_a_list():
    # the last sentence of a section does not bring the next section's first sentence
    [p] = select_passages("薬を減らすかどうか主治医と相談", [_src(STOPPING, title="薬")], n=1)
    assert [x.text for x in p.quotes] == ["薬を減らすかどうかは、主治医と相談して決めます。"]
    # a list's lead-in is never followed into as a sentence on its own: it comes with its items (below)
    text = "入浴\n入浴中の発作は危険があり、溺れることもあります。\n次の点に気をつけましょう。\n- 一人で入らない\n"
    [p] = select_passages("入浴中の発作で溺れる危険", [_src(text, title="入浴")], n=1)
    assert [x.text for x in p.quotes] == ["入浴中の発作は危険があり、溺れることもあります。", "次の点に気をつけましょう。"]
    assert p.items == ["- 一人で入らない"]


REMINDERS = ("飲み忘れを防ぐ工夫\n"
             "服薬を続けるコツは、覚えておくよりも忘れにくいしくみをつくることです。\n"
             "次のような方法を組み合わせてみてください。\n"
             "- スマートフォンのアラームで時間を知らせる\n"
             "- 壁にかけるお薬カレンダーを使う\n"
             "お薬を続けるのがつらいとき\n"
             "副作用がつらいときは、一人で抱え込まずに主治医に相談してください。\n")


def test_a_passage_followed_by_a_lead_in_brings_the_lead_in_with_its_items():
    # the sentence that matches 「コツ」 names what the list under it gives: the first passage brings the lead-in and
    # the tips, where the alarm and the calendar are (a reminder question answered by 「しくみをつくる」 alone told nothing)
    [p] = select_passages("飲み忘れが多いんだけど、何かコツとかある？", [_src(REMINDERS, title="飲み忘れ")], n=1)
    assert [x.text for x in p.quotes] == ["服薬を続けるコツは、覚えておくよりも忘れにくいしくみをつくることです。",
                                          "次のような方法を組み合わせてみてください。"]
    assert p.items == ["- スマートフォンのアラームで時間を知らせる", "- 壁にかけるお薬カレンダーを使う"]


def test_a_later_passage_brings_a_lead_in_only_when_the_list_answers_too():
    other = _src("飲み忘れ\n飲み忘れに気づいたら、2回分をまとめて飲まないでください。\n", n=1, title="飲み忘れたとき")
    # a later passage on the page shows the list when an item passed the floor (the alarm, for an alarm question)
    ps = select_passages("飲み忘れ防止にスマートフォンのアラームって使える？", [other, _src(REMINDERS, n=2, title="飲み忘れ")], n=2)
    later = next(p for p in ps if p.source == 2)
    assert "- スマートフォンのアラームで時間を知らせる" in later.items
    # ... and not when nothing in the list is near the question: the passage stays one sentence
    ps = select_passages("飲み忘れが多いのはしくみのせい？", [other, _src(REMINDERS, n=2, title="飲み忘れ")], n=2)
    later = next((p for p in ps if p.source == 2), None)
    assert later is not None and later.items == [] and len(later.quotes) == 1


SIDE_EFFECTS = ("バルプロ酸は幅広い発作に使われる薬で、飲み始めは少ない量から始めます。\n"
                "バルプロ酸で注意したい副作用\n"
                "主なものは次のとおりです。\n"
                "- 眠気やふらつき\n"
                "- 体重の変化\n")


def test_a_heading_that_names_what_is_asked_lifts_the_sentences_under_it():
    # the list under 「…注意したい副作用」 shares no word with the question but its heading does
    q = "バルプロ酸の副作用で痩せる？"
    [p, *_] = select_passages(q, [_src(SIDE_EFFECTS, title="バルプロ酸")], n=1)
    assert "- 体重の変化" in p.items
    [p, *_] = select_passages(q, [_src(SIDE_EFFECTS, title="バルプロ酸")], n=1, weights=ExtractiveWeights(heading=0.0))
    assert not p.items and p.quotes[0].text.startswith("バルプロ酸は幅広い")


SYNDROMES = ("子どものてんかん症候群\n"
             "ドラベ症候群\n"
             "1歳未満で、発熱や入浴などで体が温まったときに、長く続くけいれんを起こしやすいのが特徴です。\n"
             "レノックス・ガストー症候群\n"
             "主に幼児期から学童期に発症し、複数のタイプの発作がみられます。\n")
MEDICINES = ("その他の薬\n"
             "- スチリペントール（商品名ディアコミット）：ドラベ症候群に、ほかの薬と組み合わせて使われます。\n")


def test_a_name_asked_alone_is_answered_by_the_section_it_heads():
    # the definition leaves its subject to the heading; the medicine list repeats the name but says what it treats
    sources = [_src(MEDICINES, 1, title="その他の薬"), _src(SYNDROMES, 2, title="子どものてんかん症候群")]
    for q in ("ドラベ症候群", "ドラベ症候群とは", "ドラベ症候群って何？"):
        [p, *_] = select_passages(q, sources, n=1)
        assert p.quotes[0].text.startswith("1歳未満で"), q
    [p, *_] = select_passages("ドラベ症候群", sources, n=1, weights=ExtractiveWeights(defines=0.0))
    assert "スチリペントール" in p.items[0] if p.items else "スチリペントール" in p.quotes[0].text


def test_what_counts_as_asking_what_a_thing_is():
    assert defined_term("重積とは") == (frozenset({"重積"}), True)
    assert defined_term("VNSって何？")[1] and defined_term("ドラベ症候群") == (frozenset({"ドラベ", "症候", "群"}), False)
    # a bare name lifts only the section headed by exactly that name: 「飲み忘れ」 asks what to do, and
    # 「飲み忘れに気づいたときの基本的な考え方」 is not its definition
    assert defined_term("飲み忘れ")[1] is False
    assert defined_term("脳波 痛い？") == (frozenset(), False)
    # 「どんな薬？」 asks what it is in so many words; so does a first part with more asked after it, and the
    # lexicon's words after the question (the brand's generic name stands for the brand)
    assert defined_term("フィコンパってどんな薬？") == (frozenset({"ペランパネル"}), True)
    assert defined_term("フィコンパってどんな薬？ イライラするって聞いた ペランパネル") == (frozenset({"ペランパネル"}), True)
    assert defined_term("重積って？ てんかん重積状態") == (frozenset({"重積"}), True)
    # ... but a bare name followed by more is not a name alone, and a question about the thing does not ask
    # what it is
    assert defined_term("MRI 金属") == (frozenset(), False)
    assert defined_term("発作って何回おきたら入院？")[1] is False


def test_a_short_list_is_shown_whole_and_a_long_one_by_the_items_closest_to_the_question():
    lead = "次のような症状が出たときは、すぐに主治医に連絡してください。"
    items = ["- 発疹や皮膚の赤み", "- 発熱", "- 目の充血", "- 唇のただれ", "- のどの痛み", "- 全身のだるさ", "- 食欲がない"]
    text = "\n".join(["ラモトリギンの副作用", lead, *items])
    assert items_under("発疹が出たら？", "\n".join(["ラモトリギンの副作用", lead, *items[:4]]), lead) == items[:4]
    shown = items_under("発疹が出たら？", text, lead)
    assert len(shown) == 5 and shown[0] == "- 発疹や皮膚の赤み"  # the item the question names stays
    assert items_under("どんな症状に気をつける？", text, lead) == items  # a list asked for: all seven


def test_a_demonstrative_brings_the_sentence_it_points_back_to():
    text = ("見せかけの難治\n"
            "薬が効かないように見えても、実は別の理由で発作が続いていることがあります。"
            "これを「見せかけの難治（偽性難治）」と呼びます。")
    [p] = select_passages("偽性難治ってなに", [_src(text, title="難治てんかん")], n=1)
    assert [q.text[:6] for q in p.quotes] == ["薬が効かない", "これを「見せ"]


def test_a_leaning_sentence_whose_antecedent_is_already_quoted_is_still_quoted():
    # the antecedent is quoted by the first passage; the 119 sentence must not be dropped as a repeat
    text = ("発作が長引いたときに使う薬\n"
            "発作が長く続いたときに使う薬として、ジアゼパムの坐薬があります。"
            "坐薬をどんなときに使うかは、主治医から指示を受けて園と共有しておきましょう。"
            "ただし、薬を使った場合でも、発作が5分以上続いているときは119番通報してください。")
    shown = [q.text for p in select_passages("園で坐薬を使っていい？発作が続いたら", [_src(text, title="発作時の薬")], n=3)
             for q in p.quotes]
    assert any(t.startswith("ただし、薬を使った場合でも") for t in shown)
    assert len(shown) == len(set(shown))



def test_a_question_asked_in_parts_gets_a_sentence_for_each_part():
    page = ("MRI検査\n"
            "MRIの検査時間は30分前後です。\n"
            "MRIの検査の時間は予約の枠で変わります。\n"
            "MRIの検査の前には金属を外します。\n"
            "撮影中は大きな音がします。\n")

    def quoted(question):
        return " ".join(q.text for p in select_passages(question, [_src(page, title="MRI検査")], n=2) for q in p.quotes)

    # the noise shares one word with the whole question, under the floor the best sentence sets; asked as a part
    # of its own, it is answered
    assert "30分前後" in quoted("MRIの検査は何分？音はうるさい？") and "大きな音" in quoted("MRIの検査は何分？音はうるさい？")
    assert "大きな音" not in quoted("MRIの検査は何分？")


def test_a_question_asking_for_things_gets_the_list_its_paragraph_goes_on_to():
    page = ("学校生活\n"
            "先生へ伝えておきたいこと\n"
            "てんかんのある子どもの多くは、ほかの子どもと同じように学校で過ごせます。"
            "安心して過ごすためには、担任や養護教諭に病気のことを具体的に伝えておくことが大切です。\n"
            "- 発作の型と起きたときの様子\n"
            "- 保護者と主治医の緊急連絡先\n"
            "登下校のときの安全\n"
            "- 友だちと一緒に登下校する\n")
    src = _src(page, title="学校生活")
    # 「何を」 asks for things: the paragraph has no lead-in (「次のような…」), but its section's list is the answer
    [p, *_] = select_passages("保健室の先生に何を伝えておけばいい？", [src], n=1)
    assert "担任や養護教諭" in "".join(p.verbatim)
    assert p.items == ["- 発作の型と起きたときの様子", "- 保護者と主治医の緊急連絡先"]  # not the next section's list
    # how to tell someone is answered by what to tell
    [p, *_] = select_passages("担任にどう伝えたらいい？", [src], n=1)
    assert p.items == ["- 発作の型と起きたときの様子", "- 保護者と主治医の緊急連絡先"]
    # a paragraph that runs straight into a list introduces it: the list comes for a question that asks no list too
    [p, *_] = select_passages("保健室の先生に伝えておくべき？", [src], n=1)
    assert p.items == ["- 発作の型と起きたときの様子", "- 保護者と主治医の緊急連絡先"]
    # ... and a list two sentences on is another matter: a question that asks no list gets the sentences alone
    far = _src(page.replace("大切です。\n", "大切です。進級のときにも改めて共有しましょう。書面にまとめる学校もあります。"
                                             "面談の時間は学校と決めます。\n"), title="学校生活")
    [p, *_] = select_passages("保健室の先生に伝えておくべき？", [far], n=1)
    assert "担任や養護教諭" in "".join(p.verbatim) and p.items == []


def test_a_question_that_asks_what_a_state_is_called_gets_the_sentence_that_names_it():
    from assistant.extractive import asked_kind

    q = "発作が何分も止まらなかったり、意識が戻らないうちに次の発作が来たりするのは何という状態ですか？"
    assert asked_kind(q) == "name"   # not a duration, though 何分 is in it
    page = ("てんかん重積状態\n"
            "多くの発作は数分以内に止まり、意識も戻ります。\n"
            "てんかん重積状態とは、発作が長く続いて止まらない状態、または発作が繰り返し起こり、その間に意識が回復しない状態のことです。\n"
            "欠神発作は数秒から十数秒ほど意識が途切れる発作です。\n")
    [p, *_] = select_passages(q, [_src(page, title="重積状態")], n=1, follow=False)
    assert p.quotes[0].text.startswith("てんかん重積状態とは")


def test_a_sentence_a_list_follows_straight_away_introduces_it_without_saying_so():
    # 「…特徴があります。」 says nothing like 「次の」, but the list right after it in its section is what it announces
    page = ("焦点発作の症状\n"
            "焦点発作の症状は、発作が始まる脳の部位によって特徴があります。\n"
            "- 側頭葉：胃からこみ上げる感じや、既視感が出やすい。\n"
            "- 頭頂葉：体の一部のしびれなど、感覚の症状が出やすい。\n"
            "発作のあと\n"
            "発作のあとは、しばらくぼんやりすることがあります。\n")
    [p] = select_passages("焦点発作の症状って脳の部位で違うの？", [_src(page, title="焦点発作")], n=1)
    assert [x.text for x in p.quotes] == ["焦点発作の症状は、発作が始まる脳の部位によって特徴があります。"]
    assert p.items == ["- 側頭葉：胃からこみ上げる感じや、既視感が出やすい。", "- 頭頂葉：体の一部のしびれなど、感覚の症状が出やすい。"]
    # an item that answers is shown under that sentence with its siblings, not as a bare fragment
    [p] = select_passages("しびれが体の一部に出るのは頭頂葉？", [_src(page, title="焦点発作")], n=1)
    assert [x.text for x in p.quotes] == ["焦点発作の症状は、発作が始まる脳の部位によって特徴があります。"]
    assert "- 頭頂葉：体の一部のしびれなど、感覚の症状が出やすい。" in p.items


def test_a_list_under_its_heading_keeps_the_heading_though_its_first_item_has_a_label():
    # the items' own labels (「体調の変化：」) name each item, not the list: without the heading the answer opened on bare items
    page = ("ジェネリック医薬品\n"
            "切り替えたあとに気をつけたいこと\n"
            "- 見た目の変化：色や形が変わるため、飲み間違いに気をつけましょう。\n"
            "- 体調の変化：発作が増えたら、早めに主治医に相談してください。\n"
            "費用について\n"
            "ジェネリック医薬品は、お薬代を抑えられます。\n")
    [p] = select_passages("ジェネリックに切り替えたら発作が増えた", [_src(page, title="ジェネリック医薬品")], n=1)
    assert p.heading == "切り替えたあとに気をつけたいこと"
    assert {p.quotes[0].text, *p.items} == {"- 見た目の変化：色や形が変わるため、飲み間違いに気をつけましょう。",
                                            "- 体調の変化：発作が増えたら、早めに主治医に相談してください。"}
    # ... and when the items repeat every word of the heading (「ミオクロニー発作・脱力発作」 over its two kinds)
    kinds = ("全般発作\n"
             "ミオクロニー発作・脱力発作\n"
             "- ミオクロニー発作：肩や腕が一瞬ピクッと動く発作です。\n"
             "- 脱力発作：全身の力が一瞬で抜けて、その場に崩れ落ちる発作です。\n")
    [p] = select_passages("力が抜けて崩れ落ちる発作", [_src(kinds)], n=1)
    assert p.quotes[0].text.startswith("- ") and p.items and p.heading == "ミオクロニー発作・脱力発作"
