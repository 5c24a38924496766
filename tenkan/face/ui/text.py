"""Render untrusted text (crawled pages, model output) safely in Streamlit Markdown."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = ["md_escape", "safe_url"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")


def md_escape(text: str) -> str:
    """Escape Markdown and HTML so ``st.markdown`` shows ``text`` literally (line breaks kept)."""
    s = _MD_SPECIAL.sub(r"\\\1", text or "")
    return s.replace("\n", "  \n")


def safe_url(url: str) -> str | None:
    """``url`` percent-quoted for a Markdown link when it is http(s), else None."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#=&%@+,;~")
