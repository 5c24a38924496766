"""Process-wide resources for the app, loaded once (``st.cache_resource``)."""

from __future__ import annotations

import streamlit as st

from assistant import Assistant
from tenkan.face.config import load_config
from tenkan.paths import Workspace


@st.cache_resource(show_spinner=False)
def get_config():
    """Settings from ``$TENKAN_CONFIG`` (or the defaults), as the CLI loads them."""
    return load_config()


@st.cache_resource(show_spinner=False)
def get_workspace() -> Workspace:
    """The workspace of ``$TENKAN_HOME`` (or ./var)."""
    return Workspace.from_home()


@st.cache_resource(show_spinner="資料と回答モデルを準備しています…")
def get_assistant():
    """One Assistant per process: the index and models inside it load once, on first use."""
    return Assistant(get_config(), get_workspace())
