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

pytestmark = pytest.mark.e2e  # every test here runs notebuilder

CHROMIUM = shutil.which("chromium")
POLITY = "polity-fundamental-rights"


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


def start_preview(project: Path) -> subprocess.Popen:
    return subprocess.Popen(
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


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make test installs it as root; or: apt-get install chromium)",
)
def test_preview_shows_a_save_without_a_reload_and_a_broken_save_as_an_error(tmp_path: Path):
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    preview = start_preview(project)
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


def _get(port: int, path: str, host: str) -> tuple[int, bytes]:
    """A plain HTTP/1.0 request with the given Host, over a socket (as any page could send)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_the_preview_answers_only_its_own_address_and_many_at_once(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    preview = start_preview(project)
    try:
        port = int(_line_matching(preview.stdout, r"previewing at http://127\.0\.0\.1:(\d+)/", 60)[1])
        page = f"/{POLITY}/"
        for path in (page, "/__generation", "/"):
            status, body = _get(port, path, "evil.example")  # a page that DNS rebinding led here
            assert (status, body) == (403, b"the preview answers only at its own address"), path
            assert _get(port, path, f"evil.example:{port}")[0] == 403
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            assert _get(port, "/__generation", host)[0] == 200, host

        def timed(number: int) -> tuple[int, float]:
            started = time.monotonic()
            status, _ = _get(port, page if number % 2 else f"/{POLITY}/mindmaps", f"localhost:{port}")
            return status, time.monotonic() - started

        with ThreadPoolExecutor(200) as clients:  # 200 at once, before either page was ever rendered
            answers = list(clients.map(timed, range(200)))
        assert [status for status, _ in answers] == [200] * 200
        assert max(seconds for _, seconds in answers) < 5
    finally:
        preview.terminate()
        preview.wait(10)


@pytest.mark.parametrize("port", ["70000", "-1", "eighty"])
def test_a_port_that_is_not_one_is_a_usage_error(tmp_path: Path, port: str):
    completed = subprocess.run(
        [sys.executable, "-m", "notebuilder", "preview", "--root", str(SUBJECTS), "--port", port],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 2
    assert "is not a port number" in completed.stderr and "Traceback" not in completed.stderr


def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "notebuilder", "preview", "--root", str(SUBJECTS), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines()[-1] == (
        f"notebuilder preview: error: cannot serve on 127.0.0.1:{port}: Address already in use"
    )
    assert "Traceback" not in completed.stderr
