"""Streamlit pages of the app (``streamlit_app.py`` only wires them together).

Everything a page shows that came from crawled pages or a model is rendered as
text: Markdown specials are escaped and HTML is never allowed."""
