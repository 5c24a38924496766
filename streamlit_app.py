"""tenkan's Streamlit app: page wiring only (the pages live in tenkan/face/ui/).

Run: ``streamlit run streamlit_app.py`` (workspace from $TENKAN_HOME or ./var,
settings from $TENKAN_CONFIG or the defaults).
"""

import streamlit as st

from tenkan.face.ui import pages

st.set_page_config(page_title="てんかん情報アシスタント", page_icon="🩺", layout="wide")
st.navigation([
    st.Page(pages.chat_page, title="相談チャット", icon="💬", url_path="chat", default=True),
    st.Page(pages.evaluator_page, title="評価", icon="📊", url_path="evaluator"),
    st.Page(pages.corpus_page, title="コーパス", icon="📚", url_path="corpus"),
]).run()
