"""notebuilder preview in a real headless browser (Debian's chromium, driven through the
DevTools protocol): the page shows the notes, a save shows within a moment without a
manual reload, and a broken save shows its located error while keeping the last good page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SUBJECTS

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder

CHROMIUM = shutil.which("chromium")
POLITY = "polity-fundamental-rights"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make test installs it as root; or: apt-get install chromium)",
)


def _line_matching(stream, pattern: str, seconds: float) -> re.Match:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            time.sleep(0.05)
            continue
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r} within {seconds} s")


class Browser:
    """One headless Chromium page, read through the DevTools protocol."""

    def __init__(self, url: str, profile: Path) -> None:
        import websocket

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        port = _line_matching(self.process.stderr, r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", 60)[1]
        deadline = time.monotonic() + 30
        while True:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
            pages = [target for target in targets if target["type"] == "page"]
            if pages or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], suppress_origin=True)
        self.calls = 0

    def text(self) -> str:
        self.calls += 1
        expression = "document.readyState === 'complete' ? document.body.innerText : ''"
        self.socket.send(
            json.dumps(
                {
                    "id": self.calls,
                    "method": "Runtime.evaluate",
                    "params": {"expression": expression, "returnByValue": True},
                }
            )
        )
        while True:
            answer = json.loads(self.socket.recv())
            if answer.get("id") == self.calls:
                return answer.get("result", {}).get("result", {}).get("value") or ""

    def wait_for(self, check, seconds: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if check(self.text()):
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"the page did not change as expected within {seconds} s:\n{self.text()[:600]}")

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(10)


def test_preview_shows_a_save_without_a_reload_and_a_broken_save_as_an_error(tmp_path: Path):
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    preview = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notebuilder",
            "preview",
            "--root",
            str(project),
            "--topic",
            POLITY,
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    browser = None
    try:
        url = _line_matching(preview.stdout, r"previewing at (http://127\.0\.0\.1:\d+/)", 60)[1]
        browser = Browser(url, tmp_path / "chromium-profile")
        browser.wait_for(lambda text: "in factories and mines" in text, 30)
        assert "Fundamental Rights" in browser.text()
        assert "warning" not in browser.text()  # the test topics build with -W: no warnings

        notes = project / "notes" / POLITY / "handout.yaml"
        good = notes.read_text(encoding="utf-8")
        notes.write_text(good.replace("in factories and mines", "in any factory or mine"), encoding="utf-8")
        seconds = browser.wait_for(lambda text: "in any factory or mine" in text, 15)
        print(f"a save showed in the page after {seconds:.2f} s")

        # A warning (here: a section with no fragments yet) shows above the page, which stays.
        topic = project / "notes" / POLITY / "topic.yaml"
        plain = topic.read_text(encoding="utf-8")
        topic.write_text(plain + "  - id: empty\n    title: Nothing here yet\n", encoding="utf-8")
        browser.wait_for(lambda text: "1 warning" in text and "in any factory or mine" in text, 15)
        topic.write_text(plain, encoding="utf-8")
        notes.write_text(good.replace("fragments:", "fragments: [", 1), encoding="utf-8")
        browser.wait_for(lambda text: "error" in text and "handout.yaml:" in text, 15)
        text = browser.text()
        assert re.search(r"notes/polity-fundamental-rights/handout\.yaml:\d+:\d+: error", text)
        assert "in any factory or mine" in text  # the last good page is still there
    finally:
        if browser is not None:
            browser.close()
        preview.terminate()
        preview.wait(10)
    assert preview.returncode == 0, preview.stderr.read()
