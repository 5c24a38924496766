"""A site's own pages (top page, about, privacy …) give way to articles unless the question asks about the site."""

from dataclasses import dataclass

from assistant.site_pages import asks_about_site, is_site_page, rank_hits


@dataclass
class _Hit:
    url: str
    title: str
    score: float


def test_a_sites_own_pages_are_told_by_path_or_title():
    assert is_site_page("http://127.0.0.1:8765/about.html")
    assert is_site_page("http://127.0.0.1:8765/")
    assert is_site_page("https://example.jp/index.html")
    assert is_site_page("https://example.jp/info/p12.html", "このサイトについて")
    assert is_site_page("https://example.jp/privacy-policy/")
    assert not is_site_page("http://127.0.0.1:8765/life/sports.html", "運動・スポーツ")
    assert not is_site_page("https://example.jp/aboutepilepsy.html", "てんかんとは")  # a word, not the page


def test_they_give_way_unless_the_question_asks_about_the_site():
    hits = [_Hit("http://h/about.html", "このサイトについて", 0.30), _Hit("http://h/faq.html", "よくある質問", 0.29),
            _Hit("http://h/life/sports.html", "運動・スポーツ", 0.20), _Hit("http://h/", "トップページ", 0.19),
            _Hit("http://h/life/school.html", "学校生活", 0.10)]
    got = rank_hits(hits, "野球部に入っても大丈夫？", 0.5, 3)
    assert [h.url for h in got] == ["http://h/faq.html", "http://h/life/sports.html", "http://h/about.html"]
    assert rank_hits(hits, "このサイトって個人情報を集めてるの？", 0.5, 3) == hits[:3]
    assert asks_about_site("この情報は誰が書いているの？")
    assert rank_hits(hits, "野球部に入っても大丈夫？", 1.0, 2) == hits[:2]  # 1 turns it off
