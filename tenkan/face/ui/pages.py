"""The three pages: patient chat, evaluator comparison + saved runs, corpus overview."""

from __future__ import annotations

import json

import streamlit as st

from assistant.answer import FinalEvent
from tenkan.errors import TenkanError
from tenkan.face.ui import corpus
from tenkan.face.ui.render import DISCLAIMER, render_answer, show_error
from tenkan.face.ui.resources import get_assistant, get_config, get_workspace
from tenkan.face.ui.text import md_escape
from tenkan.vocab import MODES


def chat_page() -> None:
    st.title("てんかん情報アシスタント")
    st.info(DISCLAIMER, icon="ℹ️")
    cfg = get_config()
    ws = get_workspace()
    mode = st.sidebar.selectbox("回答モード", MODES, index=MODES.index(cfg.assistant.mode), key="chat_mode")
    if st.sidebar.button("会話をリセット"):
        st.session_state["messages"] = []
    messages = st.session_state.setdefault("messages", [])
    for i, m in enumerate(messages):
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.markdown(md_escape(m["text"]))
            else:
                render_answer(m["answer"], key=f"msg{i}", ws=ws)
    question = st.chat_input("てんかんについて質問してください（例：発作が起きたらどうすればいい？）")
    if not question:
        return
    history = [(m["role"], m["text"]) for m in messages][-6:]
    messages.append({"role": "user", "text": question})
    with st.chat_message("user"):
        st.markdown(md_escape(question))
    with st.chat_message("assistant"):
        placeholder = st.empty()
        try:
            shown, final = "", None
            for ev in get_assistant().ask_stream(question, mode=mode, history=history):
                if isinstance(ev, FinalEvent):
                    final = ev.answer.to_dict()
                else:
                    shown += ev.text
                    placeholder.markdown(md_escape(shown) + " ▌")
        except TenkanError as exc:
            placeholder.empty()
            show_error(exc)
            messages.pop()
            return
        placeholder.empty()
        messages.append({"role": "assistant", "text": final["answer"], "answer": final})
        render_answer(final, key=f"msg{len(messages) - 1}", ws=ws)


def evaluator_page() -> None:
    st.title("評価：モード比較と評価結果")
    ws = get_workspace()
    st.subheader("同じ質問を複数のモードで比較")
    q = st.text_input("質問", key="eval_question", placeholder="例：ラモトリギンの副作用は？")
    modes = st.multiselect("モード", MODES, default=["rag-ft", "ft", "rag-base", "extractive"], key="eval_modes")
    if st.button("比較する", key="eval_go") and q and modes:
        cols = st.columns(len(modes))
        for col, mode in zip(cols, modes):
            with col:
                st.markdown(f"**{md_escape(mode)}**")
                try:
                    with st.spinner("回答中…"):
                        ans = get_assistant().ask(q, mode=mode).to_dict()
                except TenkanError as exc:
                    show_error(exc)
                    continue
                render_answer(ans, key=f"cmp-{mode}", show_rating=False)
                st.caption(f"{ans['timings'].get('total_s', 0):.2f} 秒")
    st.divider()
    st.subheader("保存された評価結果")
    runs = corpus.list_runs(ws)
    if not runs:
        st.caption("評価結果はまだありません。`tenkan eval` を実行すると、ここに表示されます。")
        return
    name = st.selectbox("評価結果", [r.name for r in runs], key="run_select")
    run = next(r for r in runs if r.name == name)
    info = corpus.read_run(run)
    if info["table"]:
        st.dataframe(info["table"], width="stretch")
    elif info["metrics"] is not None:
        st.json(info["metrics"])
    for png in info["plots"]:
        st.image(str(png), caption=png.name)
    if info["report"]:
        with st.expander("report.md"):
            st.text(info["report"])
    if info["manifest"]:
        with st.expander("manifest.json"):
            st.json(info["manifest"])


def corpus_page() -> None:
    st.title("コーパスとインデックス")
    ws = get_workspace()
    info = corpus.corpus_summary(ws)
    if info["corpus_error"]:
        st.error(f"コーパスを読み込めません：{info['corpus_error']}")
    elif not info["documents"]:
        st.warning("まだページを収集していません。`tenkan crawl`（デモなら `tenkan demo --no-app`）を実行してください。")
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric("ページ数", info["documents"])
        c2.metric("サイト数", len(info["sites"]))
        c3.metric("最終更新", info["last_refresh"] or "—")
        st.subheader("サイト別ページ数")
        st.dataframe([{"サイト": k, "ページ数": v} for k, v in info["sites"].items()], width="stretch")
        if info["refresh_summary"] is not None:
            with st.expander("直近の更新の概要"):
                st.json(info["refresh_summary"])
        with st.expander("ページ一覧"):
            st.dataframe(info["pages"], width="stretch")
    st.subheader("インデックス")
    m = info["index_manifest"]
    if info["index_error"]:
        st.error(f"インデックスを読み込めません：{info['index_error']}")
        return
    if m is None:
        st.warning("インデックスがありません。`tenkan index` を実行してください。")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("埋め込みモデル", f"{m.embedder_name} ({m.embedder.get('dim', m.dim)}次元)")
    c2.metric("チャンク数", m.chunks)
    c3.metric("世代", info["generation"])
    with st.expander("manifest.json"):
        st.code(json.dumps(m.raw, ensure_ascii=False, indent=2), language="json")
