"""A site's own pages: its top page, "about this site", privacy, terms, sitemap and contact pages.

They are crawled like any page and share a medical site's words (てんかん, 発作, 主治医, 緊急時), but they
answer questions about the site, not about epilepsy: on the tune half of the style set the demo site's top
page or "about" page took one of the four source slots in 45 of 232 questions (and was quoted in one).
Retrieval keeps them, and :func:`rank_hits` lowers their score by ``assistant.site_page_weight`` unless
the question asks about the site itself (「このサイトの情報は誰が書いているの？」「個人情報を集めてるの？」).
"""

from __future__ import annotations

import re
from typing import Sequence
from urllib.parse import urlsplit

__all__ = ["is_site_page", "asks_about_site", "rank_hits"]

_SITE_PATH = re.compile(r"^/(?:index\.html?)?$|^/(?:about|privacy|terms|policy|sitemap|contact|company|guide|help)"
                        r"(?:[-_/.]|$)", re.I)
_SITE_TITLE = re.compile(r"このサイトについて|当サイトについて|サイトマップ|プライバシーポリシー|個人情報(?:保護方針|の取り扱い)|"
                         r"利用規約|ご利用にあたって|お問い合わせ|運営者情報|トップページ")
_ABOUT_SITE = re.compile(r"サイト|ホームページ|運営|個人情報|プライバシー|Cookie|クッキー|リンク|転載|問い合わせ|"
                         r"誰が書|だれが書|情報源|監修")


def is_site_page(url: str, title: str = "") -> bool:
    """Is this one of the site's own pages rather than an article? (by its path or its title)"""
    return bool(_SITE_PATH.search(urlsplit(url).path or "/") or _SITE_TITLE.search(title or ""))


def asks_about_site(question: str) -> bool:
    return bool(_ABOUT_SITE.search(question or ""))


def rank_hits(hits: Sequence, question: str, weight: float, k: int) -> list:
    """The ``k`` best hits once the site's own pages count ``weight`` of their score (all of it when the
    question asks about the site, or when ``weight`` is 1). Order among the others is kept."""
    if weight >= 1.0 or asks_about_site(question):
        return list(hits[:k])
    scored = [(h.score * (weight if is_site_page(h.url, h.title) else 1.0), -i, h) for i, h in enumerate(hits)]
    return [h for _, _, h in sorted(scored, key=lambda x: (x[0], x[1]), reverse=True)[:k]]
