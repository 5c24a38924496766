"""Showing an answer: emergency guidance, text, numbered citations, rating buttons."""

from __future__ import annotations

import streamlit as st

from assistant.answer import page_label
from assistant.feedback import save_rating
from tenkan.face.ui.text import md_escape, safe_url

DISCLAIMER = (
    "この回答は、収集したウェブページの一般的な情報をもとにしたもので、医療上の助言ではありません。"
    "診断や治療、お薬のことは必ず主治医や薬剤師にご相談ください。"
    "発作が5分以上続く、意識が戻らない、呼吸が苦しそうなどの緊急時は、すぐに119番に電話してください。"
)
GROUNDING_LABEL = {
    "verified": "資料で確認済み",
    "pruned": "資料で確認できない文を除きました",
    "extractive": "資料からの引用",
    "fallback": "資料からの引用（生成回答を確認できませんでした）",
    "unverified": "資料による確認なし（参照なしのモード）",
    "no_sources": "資料に該当なし",
    "out_of_scope": "対象外の質問",
}


def split_guidance(answer: dict) -> tuple[str, str]:
    """(emergency guidance, the rest) of an answer's text."""
    text = answer.get("answer", "")
    if answer.get("safety", {}).get("emergency") and text.startswith("【緊急】"):
        head, _, rest = text.partition("\n\n")
        return head, rest
    return "", text


def render_answer(answer: dict, *, key: str, ws=None, show_rating: bool = True) -> None:
    guidance, body = split_guidance(answer)
    if guidance:
        st.error(md_escape(guidance), icon="🚑")
    st.markdown(md_escape(body))
    label = GROUNDING_LABEL.get(answer.get("grounding", ""), "")
    if label:
        st.caption(f"{md_escape(label)}（モード: {md_escape(answer.get('mode', ''))}）")
    cites = answer.get("citations", [])
    if cites:
        st.markdown("**出典**")
        for c in cites:
            page = page_label(c.get("page"))  # 「p.N」 for a page of a PDF document
            with st.expander(f"\\[{c['n']}\\] {md_escape(c['title'] or c['url'])}" + (f" {md_escape(page)}" if page else "")):
                st.markdown(md_escape(c.get("quote", "")))
                url = safe_url(c.get("url", ""))
                if url:
                    opener = f"PDFの{c['page']}ページを開く" if c.get("page") else "元のページを開く"
                    st.markdown(f"[{opener}]({url})  \n{md_escape(c['url'])}")
    if show_rating and ws is not None:
        _rating(answer, key, ws)


def _rating(answer: dict, key: str, ws) -> None:
    done = st.session_state.setdefault("_rated", {})
    if key in done:
        st.caption("評価を保存しました。ありがとうございます。")
        return
    c1, c2, _ = st.columns([2, 2, 3])
    if c1.button("👍 役に立った", key=f"up-{key}"):
        save_rating(ws, answer, 1)
        done[key] = 1
        st.rerun()
    if c2.button("👎 役に立たなかった", key=f"down-{key}"):
        save_rating(ws, answer, -1)
        done[key] = -1
        st.rerun()


def show_error(exc: Exception) -> None:
    """A library error as a message with the command that fixes it (never a traceback)."""
    hint = getattr(exc, "hint", None)
    msg = str(exc).split("\n  → ")[0]
    st.warning(f"回答できませんでした: {md_escape(msg)}" + (f"  \n次を実行してください: `{hint}`" if hint else ""))
