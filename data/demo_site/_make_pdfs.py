"""Make the demo site's PDF documents (run from the repository root; needs reportlab):

    .venv/bin/python data/demo_site/_make_pdfs.py

writes ``leaflets/disaster-preparedness.pdf`` (a patient leaflet: two pages, then a
column in vertical writing), ``guidelines/dental-care.pdf`` (a guideline-style
document with numbered sections, four pages) and ``print/when-to-call-119.pdf``
(the printable copy of ``life/when-to-call-119.html``, made from that page, so the
crawl has a PDF that says what an HTML page says).

The text is original, invented for the demo site like its HTML pages, and is not
medical advice. The fonts are reportlab's built-in Japanese CID fonts (HeiseiMin-W3,
HeiseiKakuGo-W5): they are named, not embedded, so no font file is needed and
each PDF stays a few kilobytes; viewers substitute a Mincho/Gothic font. The
output is reproducible: fixed dates (2026-10-01) and document ids, so the same
script gives the same bytes (and the demo server the same ETags). The PDFs are
committed; the demo and the tests do not need reportlab.
"""

from __future__ import annotations

import calendar
import os
import re
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent
NOTICE = "※この資料はデモ用に作成した一般的な情報です。医療上の助言ではありません。診断や治療については必ず主治医にご相談ください。"
HEADER = "てんかん情報ひろば（デモサイト）　資料"
EPOCH = calendar.timegm((2026, 10, 1, 0, 0, 0))

# Each document is a list of blocks: ("h1"|"h2"|"h3"|"p"|"li"|"small", text), ("pagebreak", ""),
# ("vertical", heading, text) for a page in vertical writing.
DISASTER = [
    ("h1", "災害に備える　てんかんのある方とご家族のための防災ハンドブック"),
    ("small", NOTICE),
    ("small", "2026年10月発行　てんかん情報ひろば（デモ）"),
    ("h2", "はじめに"),
    ("p", "地震や台風、大雨などの災害が起きると、お薬が手に入りにくくなったり、避難生活で睡眠不足や疲れがたまったりして、"
          "ふだんより発作が起こりやすくなることがあります。ふだんから準備をしておけば、いざというときの不安を小さくできます。"
          "このハンドブックでは、ご家庭で今日からできる備えをまとめました。"),
    ("h2", "1. お薬の備え"),
    ("li", "抗てんかん発作薬は、ふだん飲む分とは別に、少なくとも7日分を非常用の持ち出し袋に入れておきましょう。"),
    ("li", "持ち出し袋のお薬は、使用期限が切れないよう、3か月に1回を目安に新しいものと入れ替えます。"),
    ("li", "お薬手帳の写しを持ち出し袋に入れ、スマートフォンでも写真を撮っておくと、避難先の救護所で同じお薬を出してもらう手がかりになります。"),
    ("li", "お薬の名前は、商品名と成分の名前（一般名）の両方をメモしておくと、別のメーカーのお薬しかない場合にも話が通じやすくなります。"),
    ("h2", "2. 緊急連絡カードをつくる"),
    ("p", "財布やスマートフォンのケースに入る大きさのカードに、次のことを書いておきます。発作で倒れたときに、"
          "まわりの人や救急隊があなたのことを知る手がかりになります。"),
    ("li", "名前と生年月日、てんかんがあること"),
    ("li", "飲んでいるお薬の名前と、飲む時間"),
    ("li", "発作のときの様子と、まわりの人にしてほしいこと"),
    ("li", "主治医の病院名と電話番号、家族の連絡先"),
    ("pagebreak", ""),
    ("h2", "3. 避難所で過ごすとき"),
    ("li", "避難所に着いたら、受付や運営のスタッフに、てんかんがあることと発作のときの対応を伝えておきましょう。"),
    ("li", "援助が必要なことを周りに知らせるヘルプマークを、かばんなどの見えるところに付けておくのも一つの方法です。"),
    ("li", "避難所の夜は眠りが浅くなりがちです。耳栓やアイマスクを持ち出し袋に入れておき、できるだけ決まった時間に休みましょう。"),
    ("li", "発作で倒れてもけがをしにくいよう、段差や階段、ストーブから離れた場所で過ごせないか、スタッフに相談しましょう。"),
    ("li", "食事の配給の時間に合わせてお薬を飲むなど、避難生活のリズムの中で飲み忘れを防ぐ工夫をします。"),
    ("h2", "4. 家族で話し合っておくこと"),
    ("li", "災害が起きたときの集合場所と、電話がつながらないときの連絡方法（災害用伝言ダイヤル171など）"),
    ("li", "本人が一人でいるときに発作が起きたら、誰に連絡するか"),
    ("li", "迷走神経刺激療法（VNS）の装置を使っている場合は、患者カードと専用の磁石をどこにしまっておくか"),
    ("h2", "5. お薬が足りなくなりそうなとき"),
    ("p", "手持ちのお薬が残り少なくなったら、がまんせずに早めに避難所の救護所や近くの医療機関に相談してください。"
          "自分の判断でお薬を減らしたり、1日おきに飲んだりすると、強い発作を起こすおそれがあります。"),
    ("vertical", "コラム　停電と暑さ・寒さへの備え",
     "停電するとエアコンや暖房が使えなくなり、暑さや寒さで体調を崩しやすくなります。"
     "熱がこもったり脱水になったりすると発作のきっかけになることがあるので、夏は水分と塩分をこまめにとり、"
     "冬は重ね着や毛布で体を冷やさないようにしましょう。"
     "懐中電灯や携帯ラジオ、スマートフォン用のモバイルバッテリーも持ち出し袋に入れておくと、"
     "夜に発作が起きたときにも、家族が明かりをつけて様子を確かめることができます。"),
]

DENTAL = [
    ("h1", "てんかんのある方の歯科診療の手引き（デモ版）"),
    ("small", NOTICE),
    ("small", "第1版　2026年10月　てんかん情報ひろば（デモ）編"),
    ("h2", "1. この手引きの目的"),
    ("p", "この手引きは、てんかんのある方が安心して歯科の診療を受けられるよう、歯科医院のスタッフと患者さん・ご家族が"
          "前もって確かめておきたいことをまとめたものです。内容は一般的な目安であり、実際の対応は主治医と歯科医師の判断によります。"),
    ("h2", "2. 受診前の情報共有"),
    ("h3", "2.1 問診で確認すること"),
    ("p", "(1) 発作の型と頻度、最後に発作があった日"),
    ("p", "(2) 発作の前ぶれ（前兆）があるかどうかと、その内容"),
    ("p", "(3) 飲んでいる抗てんかん発作薬の名前と、飲む時間"),
    ("p", "(4) 発作が起きたときに、本人や家族が望む対応"),
    ("h3", "2.2 予約の取り方"),
    ("p", "発作が起きやすい時間帯がわかっている場合は、その時間を避けて予約を入れます。睡眠不足や空腹は発作のきっかけになりやすいため、"
          "前の晩はよく眠り、食事をとってから来院するよう伝えます。診療の当日も、お薬はいつもどおりの時間に飲んでもらいます。"),
    ("pagebreak", ""),
    ("h2", "3. 診療中に発作が起きたとき"),
    ("h3", "3.1 まず行うこと"),
    ("p", "(1) ミラーやバー、ロールワッテなどの器具を、口の中からすぐに取り出す。ただし、歯をくいしばっているときに無理に口を開けさせたり、"
          "指を入れたりしない。"),
    ("p", "(2) 診療台（チェア）を水平に倒し、ライトや器具のトレーを体から遠ざける。"),
    ("p", "(3) 発作が始まった時刻を確かめ、発作の様子を記録する。"),
    ("h3", "3.2 救急車を呼ぶ目安"),
    ("p", "けいれんが5分以上続く場合、発作がおさまらないうちに次の発作が起きた場合、呼吸が苦しそうな場合、けがをした場合は、"
          "ためらわずに119番に電話する。"),
    ("h3", "3.3 発作がおさまったあと"),
    ("p", "顔を横に向けて、唾液や水が気管に入らないようにし、意識がはっきり戻るまでそばで見守る。その日の処置を続けるかどうかは、"
          "本人の様子を見て、無理をせずに決める。"),
    ("pagebreak", ""),
    ("h2", "4. お薬と口の健康"),
    ("h3", "4.1 歯ぐきの腫れ（歯肉増殖）"),
    ("p", "フェニトインなど一部の抗てんかん発作薬では、歯ぐきが厚く盛り上がる「歯肉増殖」が起こることがある。歯垢がたまると悪化しやすいため、"
          "3か月に1回程度の定期的な歯のクリーニングと、毎日のていねいな歯みがきを勧める。"),
    ("h3", "4.2 血の止まりにくさ"),
    ("p", "バルプロ酸を飲んでいる方では、まれに血が止まりにくくなることがある。抜歯など出血をともなう処置の前には、"
          "主治医に血液検査の結果を問い合わせておくと安心である。"),
    ("h3", "4.3 口の乾き"),
    ("p", "お薬によっては口が乾きやすくなり、むし歯ができやすくなる。こまめな水分補給と、フッ化物の入った歯みがき剤の使用を勧める。"),
    ("h2", "5. 麻酔と処方"),
    ("h3", "5.1 局所麻酔"),
    ("p", "歯科で通常使う局所麻酔は、てんかんのある方にも使えることが多い。緊張や痛みは発作のきっかけになることがあるため、"
          "処置の前に手順を説明して不安をやわらげ、痛みを十分に抑える。"),
    ("h3", "5.2 痛み止めや抗菌薬を出すとき"),
    ("p", "歯科で痛み止めや抗菌薬を処方するときは、お薬手帳で抗てんかん発作薬との飲み合わせを確かめる。迷うときは薬剤師や主治医に問い合わせる。"),
    ("pagebreak", ""),
    ("h2", "6. 入れ歯とマウスピース"),
    ("p", "発作のときに外れてのどに詰まるおそれがあるため、発作の多い方の取り外し式の入れ歯は、留め金のしっかりしたものを選ぶか、"
          "固定式の治療も検討する。スポーツ用のマウスピースに似た保護具は、発作で倒れたときに歯が折れるのを防ぐ目的で使われることがある。"),
    ("h2", "7. 主治医との連携"),
    ("p", "歯科医院は、必要に応じて主治医に診療情報提供書で問い合わせ、発作の状況やお薬の変更について情報を共有する。"
          "患者さんとご家族は、お薬が変わったときには、かかっている歯科医院にも伝えるようにする。"),
    ("small", "改訂の記録：2026年10月　第1版（デモ用に作成）"),
]


def _html_blocks(path: Path) -> tuple[str, list]:
    """The article of a demo page as blocks (h1, notice, h2, p, li) for its printable copy."""
    import html as _html

    raw = path.read_text(encoding="utf-8")
    art = raw[raw.index("<article>"):raw.index("</article>")]
    blocks: list = []
    for m in re.finditer(r"<(h1|h2|p|li)([^>]*)>(.*?)</\1>", art, re.S):
        tag, attrs, inner = m.groups()
        text = _html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        if not text:
            continue
        if tag == "p" and "notice" in attrs or "updated" in attrs:
            blocks.append(("small", text))
        else:
            blocks.append((tag, text))
    title = next(t for k, t in blocks if k == "h1")
    return title, blocks


def build(out: Path, blocks: list, *, title: str, subject: str, footer: str) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    for face in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
        if face not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(face))
    if "HeiseiMin-W3-V" not in pdfmetrics.getRegisteredFontNames():
        vfont = UnicodeCIDFont("HeiseiMin-W3", isVertical=True)  # UniJIS-UCS2-V: glyphs run top to bottom
        vfont.name = vfont.fontName = "HeiseiMin-W3-V"
        pdfmetrics.registerFont(vfont)

    base = dict(wordWrap="CJK", textColor=HexColor("#222222"))
    styles = {
        "h1": ParagraphStyle("h1", fontName="HeiseiKakuGo-W5", fontSize=18, leading=26, spaceAfter=8, **base),
        "h2": ParagraphStyle("h2", fontName="HeiseiKakuGo-W5", fontSize=14, leading=20, spaceBefore=10, spaceAfter=4,
                             **base),
        "h3": ParagraphStyle("h3", fontName="HeiseiKakuGo-W5", fontSize=12.5, leading=18, spaceBefore=6, spaceAfter=2,
                             **base),
        "p": ParagraphStyle("p", fontName="HeiseiMin-W3", fontSize=10.5, leading=17, spaceAfter=4, **base),
        "li": ParagraphStyle("li", fontName="HeiseiMin-W3", fontSize=10.5, leading=17, leftIndent=12, firstLineIndent=-12,
                             spaceAfter=2, **base),
        "small": ParagraphStyle("small", fontName="HeiseiMin-W3", fontSize=9, leading=14, spaceAfter=2, **base),
    }

    class VerticalText(Flowable):
        """A heading, then the text in vertical columns from right to left (one page)."""

        def __init__(self, heading: str, text: str, width: float, height: float, size: float = 12):
            super().__init__()
            self.heading, self.text, self.w, self.h, self.size = heading, text, width, height, size

        def wrap(self, aw, ah):
            return self.w, self.h

        def draw(self):
            c = self.canv
            c.setFont("HeiseiKakuGo-W5", 14)
            c.drawString(0, self.h - 14, self.heading)
            c.setFont("HeiseiMin-W3-V", self.size)
            per_col = int((self.h - 40) // self.size)
            x = self.w - self.size
            for i in range(0, len(self.text), per_col):
                c.drawString(x, self.h - 40, self.text[i:i + per_col])
                x -= self.size * 1.8

    def page_furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("HeiseiMin-W3", 8)
        canvas.setFillColor(HexColor("#666666"))
        canvas.drawString(20 * mm, A4[1] - 12 * mm, HEADER)
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"- {doc.page} -")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                            bottomMargin=20 * mm, title=title, author="てんかん情報ひろば（デモサイト）",
                            subject=subject, creator="tenkan data/demo_site/_make_pdfs.py", invariant=1)
    story: list = []
    for b in blocks:
        kind = b[0]
        if kind == "pagebreak":
            story.append(PageBreak())
        elif kind == "vertical":
            story += [PageBreak(), VerticalText(b[1], b[2], doc.width, doc.height * 0.6)]
        elif kind == "li":
            story.append(Paragraph("・" + b[1], styles["li"]))
        else:
            story.append(Paragraph(b[1], styles[kind]))
        if kind == "h1":
            story.append(Spacer(1, 2 * mm))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.build(story, onFirstPage=page_furniture, onLaterPages=page_furniture)


def main() -> int:
    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)  # reportlab writes this date; with invariant=1, fixed ids
    made = []
    out = SITE / "leaflets" / "disaster-preparedness.pdf"
    build(out, DISASTER, title="災害に備える　てんかんのある方とご家族のための防災ハンドブック",
          subject="患者さん向け資料（デモ）", footer="防災ハンドブック（デモ）")
    made.append(out)
    out = SITE / "guidelines" / "dental-care.pdf"
    build(out, DENTAL, title="てんかんのある方の歯科診療の手引き（デモ版）", subject="診療の手引き（デモ）",
          footer="歯科診療の手引き（デモ版）第1版")
    made.append(out)
    title, blocks = _html_blocks(SITE / "life" / "when-to-call-119.html")
    out = SITE / "print" / "when-to-call-119.pdf"
    build(out, blocks, title=title + "（印刷用）", subject="印刷用（デモ）", footer="印刷用　" + title)
    made.append(out)
    for p in made:
        print(f"{p.relative_to(SITE.parent.parent)}: {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
