"""Decoding Japanese web pages: HTTP header, ``<meta>`` tag, BOM, then detection.

Shift_JIS as declared by real sites is almost always Windows' CP932 (NEC and IBM
extensions such as ①②, ㈱, ⅰ), so a declared ``Shift_JIS`` / ``x-sjis`` /
``MS_Kanji`` decodes as CP932, and ``EUC-JP`` as ``euc_jis_2004`` falling back to
``euc_jp``. A declared charset that does not decode cleanly is not trusted: the
other Japanese encodings are tried, then detection. Text that still looks garbled
(replacement characters, or the typical shapes of UTF-8 read as CP932 or Latin-1)
raises :class:`MojibakeError` so the page is skipped with a reason instead of
being stored garbled.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from tenkan.errors import FetchError

__all__ = ["decode_html", "MojibakeError", "looks_garbled", "declared_charsets"]


class MojibakeError(FetchError):
    """The page's bytes do not decode to sensible text in any plausible encoding."""


_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "csshiftjis": "cp932", "windows-31j": "cp932", "cp932": "cp932", "ms932": "cp932",
    "euc-jp": "euc_jis_2004", "euc_jp": "euc_jis_2004", "eucjp": "euc_jis_2004", "x-euc-jp": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext", "utf8": "utf-8", "utf-8": "utf-8",
}
_FALLBACK_ORDER = ["utf-8", "cp932", "euc_jis_2004", "euc_jp", "iso2022_jp_ext"]

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def declared_charsets(content_type: str | None, body: bytes) -> list[str]:
    """Encodings the response declares, in order of authority (BOM, header, meta)."""
    out: list[str] = []
    if body.startswith(codecs.BOM_UTF8):
        out.append("utf-8-sig")
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m and _canonical(m.group(1)):
            out.append(_canonical(m.group(1)))
    m = _META_CHARSET.search(body[:4096])
    if m:
        c = _canonical(m.group(1).decode("ascii", "replace"))
        if c:
            out.append(c)
    seen: list[str] = []
    for c in out:
        if c not in seen:
            seen.append(c)
    return seen


# Characters that dominate UTF-8 bytes misread as CP932 (縺 = E3 81.., 繧/繝 = E3 82/83 ..)
# and UTF-8 / Shift_JIS misread as Latin-1 or cp1252 (Ã, â€, ƒ).
_MOJIBAKE_CP932 = re.compile(r"[縺繧繝譁蜿髮荳螟謇]")
_MOJIBAKE_LATIN = re.compile(r"[ÃÂâ€ƒ\u0080-\u009f]")
_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def looks_garbled(text: str) -> str | None:
    """A short reason if ``text`` looks like mojibake, else None."""
    s = re.sub(r"\s+", "", text)
    if not s:
        return None
    n = len(s)
    bad = s.count("\ufffd")
    if bad / n > 0.002 or bad >= 20:
        return f"{bad} undecodable characters (U+FFFD)"
    cp = len(_MOJIBAKE_CP932.findall(s))
    ja = len(_JA.findall(s))
    if ja >= 20 and cp / ja > 0.15:
        return f"looks like UTF-8 read as CP932 ({cp} of {ja} kanji are 縺/繧/繝-type)"
    lat = len(_MOJIBAKE_LATIN.findall(s))
    if lat / n > 0.05 and lat >= 10:
        return f"looks like text read as Latin-1 ({lat} characters such as Ã/â€)"
    return None


def _try(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body``; return ``(text, encoding used)`` or raise :class:`MojibakeError`."""
    declared = declared_charsets(content_type, body)
    candidates = declared + [e for e in _FALLBACK_ORDER if e not in declared]
    if "euc_jis_2004" in candidates and "euc_jp" not in candidates:
        candidates.append("euc_jp")
    for enc in candidates:
        text = _try(body, enc)
        if text is not None and not looks_garbled(text):
            return text, enc
    # Nothing decodes strictly: ask a detector, then accept a lossy decode only if
    # it is nearly clean.
    best = from_bytes(body).best()
    if best is not None:
        text = str(best)
        if not looks_garbled(text):
            return text, best.encoding
    enc = declared[0] if declared else "utf-8"
    text = body.decode(enc, errors="replace")
    reason = looks_garbled(text) or "no declared or detected encoding decodes it"
    raise MojibakeError(f"mojibake: {reason} (declared: {', '.join(declared) or 'none'})")
