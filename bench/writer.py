"""A researcher writing notes while the benchmark reads (``bench/run.py`` starts it).

    python bench/writer.py HOST SESSION PASSAGES.json [RATE]

It does what a signed-in reader's browser does, over HTTP through nginx, and
nothing else: it opens one of the cables in ``PASSAGES.json`` (written by
``bench/run.py``: the passages of the cables kept out of the readers' list,
``[{"id": …, "url": …, "text": …}, …]``) with the session cookie ``SESSION``,
which gives it the CSRF cookie and the page's token (``hx-headers`` on
``<body>``); then, ``RATE`` times a second (default 2), it selects a few words
of a passage, asks for the compose form as ``annotate.js`` does
(``GET /annotations/new/?passage=…``, htmx) and posts the note as the form does
(htmx, ``X-CSRFToken``, the same origin). Every other note is public, the rest
private (the form's default). The notes keep to the clock however slow the
answers are (a note is due every 1/RATE s; up to 8 wait for the server at once,
as the tabs of a busy researcher would), so the load the readers share the
server with is the same whatever the server does.

It prints ``READY`` once it holds a CSRF token, and, when it gets SIGTERM or
SIGINT, starts no more notes (those still queued are dropped and counted as
``not_started``), lets those in hand finish, and prints one JSON
line: ``added`` (notes the app saved: 200 with the ``annotation-saved``
event), ``failed`` (any other answer, or no answer), the first few failures,
``late`` (notes that found 8 still waiting), the post latencies and the rate it
kept. It uses only the standard library, so it runs with any Python.
"""

from __future__ import annotations

import json
import random
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

TOKEN = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')
SAVED = "annotation-saved"
IN_FLIGHT = 8  # notes at once, at most, when the answers are slow


class Browser:
    """Cookies kept as a browser keeps them (one host), and the same origin."""

    def __init__(self, host: str, session: str):
        self.host = host
        self.cookies = {"sessionid": session}
        self.lock = threading.Lock()

    def request(self, path: str, *, data: dict | None = None, headers=None, referer=""):
        sent = {
            "Accept-Encoding": "identity",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if referer:
            sent["Referer"] = self.host + referer
        body = None
        if data is not None:
            body = urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.host
        request = urllib.request.Request(self.host + path, data=body, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, text, got = error.code, error.read(), error.headers
        with self.lock:
            for header in got.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return status, text.decode("utf-8", "replace"), got


def write_note(browser: Browser, token: str, passage: dict, n: int, rng) -> tuple:
    """One note as the reading view makes it: (saved, what went wrong, post ms)."""
    text = passage["text"]
    start = rng.randrange(0, len(text) - 20)
    end = start + rng.randrange(8, 20)
    if not text[start:end].strip():
        start, end = 0, len(text)
    selected = {"passage": passage["id"], "start": start, "end": end, "exact": text[start:end]}
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    try:
        status, form, _ = browser.request(
            "/annotations/new/?" + urlencode(selected),
            headers={**htmx, "HX-Target": f"compose-{passage['id']}"},
            referer=passage["url"],
        )
        if status != 200 or "compose-form" not in form:
            return False, f"compose form: {status}", None
        t0 = time.monotonic()
        status, row, got = browser.request(
            "/annotations/new/",
            data={
                "csrfmiddlewaretoken": token,
                **selected,
                "body": f"Writer note {n}: compare with the *other* copy.",
                "kind": "comment",
                "tags": "bench",
                "visibility": "public" if n % 2 else "private",
                "group": "",
                "replacement": "",
            },
            headers={**htmx, "HX-Target": f"row-{passage['id']}"},
            referer=passage["url"],
        )
        took = (time.monotonic() - t0) * 1000
    except OSError as error:  # no answer: refused, reset, timed out
        return False, f"no answer: {error}", None
    if status == 200 and SAVED in (got.get("HX-Trigger") or ""):
        return True, None, took
    return False, f"post: {status} {row[:200]!r}", took


def main(host: str, session: str, passages_file: str, rate: float = 2.0) -> int:
    passages = json.loads(Path(passages_file).read_text())
    browser = Browser(host, session)
    page = passages[0]["url"]
    status, html, _ = browser.request(page)
    token = TOKEN.search(html)
    if status != 200 or token is None or "csrftoken" not in browser.cookies:
        print(json.dumps({"error": f"{page} answered {status} without a CSRF token"}), flush=True)
        return 1
    token = token.group(1)
    if "Signed in as" not in html:
        print(json.dumps({"error": f"{page}: the session was not accepted"}), flush=True)
        return 1

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print("READY", flush=True)

    # On the clock, whatever the answers take: a note is due every 1/RATE s and
    # starts then, while earlier ones may still wait for the server (at most
    # IN_FLIGHT at once; a note that finds them all busy starts late).
    rng = random.Random(13)
    interval = 1 / rate
    started = time.monotonic()
    notes, late = [], 0
    pool = ThreadPoolExecutor(IN_FLIGHT)
    n = 0
    while not stopping.wait(max(0.0, started + n * interval - time.monotonic())):
        n += 1
        if sum(not f.done() for f in notes) >= IN_FLIGHT:
            late += 1
        passage = rng.choice(passages)
        seed = rng.random()
        notes.append(pool.submit(write_note, browser, token, passage, n, random.Random(seed)))
    stopped = time.monotonic()
    # Those in hand finish; those still waiting for a thread are not written.
    pool.shutdown(wait=True, cancel_futures=True)
    results = [f.result() for f in notes if not f.cancelled()]
    failures = [why for saved, why, _ in results if not saved]
    latencies = sorted(ms for _, _, ms in results if ms is not None)
    added = len(results) - len(failures)
    seconds = stopped - started
    print(
        json.dumps(
            {
                "added": added,
                "failed": len(failures),
                "failures": failures[:5],
                "late": late,
                "not_started": len(notes) - len(results),
                "seconds": round(seconds, 1),
                "rate": round(added / seconds, 2) if seconds else 0,
                "post_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
                "post_max_ms": round(latencies[-1], 1) if latencies else None,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) not in (3, 4):
        raise SystemExit(__doc__.split("\n\n")[1])
    sys.exit(main(args[0], args[1], args[2], *(float(a) for a in args[3:])))
