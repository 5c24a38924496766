"""Real browser: `streamlit run streamlit_app.py` on 127.0.0.1 driven by headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "_output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="no Chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served_app(app_home):
    home, cfg = app_home
    port = _free_port()
    env = dict(os.environ, TENKAN_HOME=str(home), TENKAN_CONFIG=str(cfg), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_patient_asks_and_sees_a_cited_streamed_answer(served_app):
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    dialogs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(served_app, wait_until="domcontentloaded")
            page.get_by_text("医療上の助言ではありません").first.wait_for(timeout=60_000)
            box = page.get_by_role("textbox").last
            box.fill("発作が5分以上続いたらどうすればいいですか？")
            box.press("Enter")
            page.get_by_text("出典").first.wait_for(timeout=60_000)
            page.get_by_text("119番").first.wait_for(timeout=10_000)
            cite = page.get_by_text("[1]").first
            cite.wait_for(timeout=10_000)
            page.get_by_text("発作が起きたときの応急手当").first.click()
            page.get_by_text("元のページを開く").first.wait_for(timeout=10_000)
            # a page whose text carries a script payload: shown as text, never run
            box = page.get_by_role("textbox").last
            box.fill("テレビの点滅する光で発作は起きますか？")
            box.press("Enter")
            page.get_by_text("光過敏性発作とテレビ").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(OUT / "app_chat.png"), full_page=True)
            assert dialogs == []
            assert page.locator("script:has-text(\"alert('x')\")").count() == 0
            # the other pages load
            page.goto(served_app + "/corpus", wait_until="domcontentloaded")
            page.get_by_text("埋め込みモデル").first.wait_for(timeout=60_000)
            page.goto(served_app + "/evaluator", wait_until="domcontentloaded")
            page.get_by_text("保存された評価結果").first.wait_for(timeout=60_000)
            page.screenshot(path=str(OUT / "app_evaluator.png"), full_page=True)
        finally:
            browser.close()
    assert (OUT / "app_chat.png").stat().st_size > 10_000
