"""index.urls.page_key: the one way pages are compared by URL (eval metrics, eval-set checks, benchmarks)."""

from index.urls import page_key


def test_page_key_ignores_scheme_host_port_and_fragment():
    assert page_key("http://127.0.0.1:8765/life/bathing.html#x") == page_key("https://localhost:40123/life/bathing.html")
    assert page_key("http://127.0.0.1:8765/life/bathing.html") == "/life/bathing.html"


def test_page_key_folds_directory_index_pages_and_keeps_the_query():
    assert page_key("http://h/basics/index.html") == page_key("http://h/basics/") == page_key("http://h/basics")
    assert page_key("http://h/") == page_key("http://h") == page_key("http://h/index.html") == "/"
    assert page_key("http://h/search?q=1#top") == "/search?q=1"
    assert page_key("") == ""
