"""The Reading Room benchmark (``make bench``): one table, measured in one run.

    .venv/bin/python bench/run.py                 # 1,000 and 100,000 cables
    BENCH_SIZES=1000 .venv/bin/python bench/run.py   # the quick run

What it does, on this machine, loopback only:

1. Drops and creates the PostgreSQL database ``readingroom_bench`` (at
   ``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), migrates it,
   collects static files and loads the seed collection.
2. Creates a researcher with 200 (private) annotations on the seed cable and a
   session for them (the signed-in rows send its cookie).
3. Serves as production does: nginx in front (Debian's, run in the foreground
   as a child with its configuration, pid, logs and temporary files in a temp
   folder), listening on ``BENCH_PORT`` (default 8765) and proxying to gunicorn
   on the next port, with the deployment's own server configuration
   (``deploy/nginx/readingroom.conf``, included as docker-compose's proxy
   includes it: compression is nginx's).
4. For each size: generates the synthetic corpus up to that many cables
   (``generate_corpus``; the 100,000 run adds 99,000 to the 1,000), runs
   ``VACUUM ANALYZE``, starts gunicorn (2 workers, DEBUG off, a throw-away
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1), warms every page up, then runs ``wrk``
   against nginx (2 threads, 8 connections, ``BENCH_DURATION`` seconds, default
   10) per row, every request saying ``Accept-Encoding: gzip, deflate`` as
   browsers do (one row repeats the signed-in reading view for a client that
   does not, which nginx sends uncompressed: the difference is what compressing
   costs), and reads each worker's peak memory (VmHWM) before stopping it. The
   baseline (``/healthz``) goes through nginx too, so every ratio compares like
   with like.
5. Measures the import rate (``bench/import_speed.py``: generated Wilson-layout
   documents through ``import_cables``) in a database of its own.
6. Prints the table and writes ``bench/results.md``.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import gzip
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

BASE = Path(__file__).resolve().parent.parent
PY = str(BASE / ".venv" / "bin" / "python") if (BASE / ".venv").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "readingroom_bench"
IMPORT_DB = "readingroom_bench_import"
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # nginx, which wrk asks
APP_PORT = PORT + 1  # gunicorn, which nginx asks
HOST = f"http://127.0.0.1:{PORT}"
APP_HOST = f"http://127.0.0.1:{APP_PORT}"
NGINX_SITE = BASE / "deploy" / "nginx" / "readingroom.conf"
# Debian installs nginx in /usr/sbin, which a user's PATH may not name.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000").split(",") if s.strip()]
IMPORT_DOCS = int(os.environ.get("BENCH_IMPORT_DOCS", "1000"))
SEED_SLUG = "117409"  # resolved to the seed cable's slug at setup
ANNOTATIONS = 200
BROWSER = {"Accept-Encoding": "gzip, deflate"}

# The search mix: rare and common words, phrases, names (canonical, pseudonym,
# OCR variant), exclusions and OR.
QUERIES = [
    "armistice",
    "delegation",
    "agenda",
    "zeppelin",
    "lighthouse",
    "plenipotentiary",
    '"prisoners of war"',
    '"demarcation line"',
    '"neutral zone"',
    '"38th parallel"',
    "Filippov",
    "Stalin",
    "Nam II",
    "Li Kenong",
    "Kaesong",
    "Joy",
    "ceasefire -artillery",
    "truce OR ceasefire",
    "withdrawal foreign troops",
    "monsoon granary",
]

ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB}",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(40),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "LOG_LEVEL": "WARNING",
}

SETUP_RESEARCHER = f"""
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from annotations.markdown import render_markdown
from annotations.models import Annotation
from cables.models import Cable
from telegrams.models import Agenda
cable = Cable.objects.get(record_id="117409")
user = get_user_model().objects.create_user("bench-researcher", password=None, first_name="Bench")
passages = [p for p in cable.passages.all() if len(p.text) > 40]
rows = []
for i in range({ANNOTATIONS}):
    p = passages[i % len(passages)]
    start = (i * 37) % (len(p.text) - 20)
    end = start + 12
    body = f"Note {{i}}: *check* this against the Chinese text."
    rows.append(Annotation(passage=p, author=user, exact=p.text[start:end],
        prefix=p.text[max(0, start - 32):start], suffix=p.text[end:end + 32], start=start, end=end,
        body=body, body_html=render_markdown(body), visibility="private"))
Annotation.objects.bulk_create(rows)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
agendas = list(Agenda.objects.filter(telegram__passage__cable=cable).order_by("side__position"))
print("SESSION", s.session_key)
print("SLUG", cable.slug)
print("AGENDAS", agendas[0].slug, agendas[1].slug)
"""


def run(args, env=ENV, capture=False, **kw):
    print("$", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run(
        args, env=env, cwd=BASE, check=True, text=True, capture_output=capture, **kw
    )
    return result.stdout if capture else ""


def manage(*args, capture=False):
    return run([PY, "manage.py", *args], capture=capture)


def psql(sql: str, db: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


# Serving -------------------------------------------------------------------


class Server:
    def __init__(self):
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "readingroom.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{APP_PORT}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=ENV,
            cwd=BASE,
        )
        if not answers(APP_HOST):
            self.stop()
            raise SystemExit("gunicorn did not answer /healthz")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def peak_memory_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
            peaks.append(kb / 1024)
        return peaks

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


NGINX_CONF = """
daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream readingroom {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{port};
        include {site};
    }}
}}
"""


class Proxy:
    """nginx in the foreground, a child of this process, in a folder of its own; the
    server block is the deployment's (``deploy/nginx/readingroom.conf``). Without
    an access log, as gunicorn runs without one."""

    def __init__(self, folder: Path):
        self.folder = folder / "nginx"
        self.folder.mkdir()
        # Run as root, nginx's workers are another user: they need to reach the
        # temporary folders nginx makes for them in here.
        for path in (folder, self.folder):
            path.chmod(0o755)
        conf = self.folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(folder=self.folder, app_port=APP_PORT, port=PORT, site=NGINX_SITE)
        )
        command = [NGINX, "-p", str(self.folder), "-e", str(self.folder / "error.log")]
        run([*command, "-t", "-q", "-c", str(conf)])
        self.proc = subprocess.Popen([*command, "-c", str(conf)], cwd=BASE)
        for _ in range(50):
            try:
                with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"nginx did not listen on port {PORT}: see {self.folder}/error.log")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # finish the requests in hand, then exit
            self.proc.wait(timeout=30)


def answers(host: str) -> bool:
    """Whether ``host`` answers /healthz within 20 s."""
    for _ in range(100):
        try:
            if get("/healthz", host=host)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def get(path: str, headers=None, host: str = HOST) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(host + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p95=%d requests=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


# Every request a new address (?render=<thread>-<n>, or &render= after a query),
# so every response is rendered afresh: the page cache holds nothing for it
# (wrk gives each thread its own Lua).
LUA_UNIQUE = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local function fresh(path)
  n = n + 1
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  return path .. sep .. "render=" .. tid .. "-" .. n
end
"""


def lua_script(folder: Path, name: str, *, headers=None, paths=None, unique: bool = False) -> Path:
    lines = []
    for key, value in (headers or {}).items():
        lines.append(f'wrk.headers["{key}"] = "{value}"')
    if unique:
        lines.append(LUA_UNIQUE)
    address = "fresh(p)" if unique else "p"
    if paths:
        quoted = ", ".join(f'"{p}"' for p in paths)
        lines.append(f"local paths = {{{quoted}}}\nlocal i = 0")
        lines.append(
            "request = function()\n  i = i + 1\n  local p = paths[(i % #paths) + 1]\n"
            f"  return wrk.format(nil, {address})\nend"
        )
    elif unique:
        lines.append("request = function()\n  return wrk.format(nil, fresh(wrk.path))\nend")
    path = folder / f"{name}.lua"
    path.write_text("\n".join(lines) + LUA_DONE)
    return path


def wrk(path: str, script: Path, connections: int = 8) -> dict:
    out = run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{DURATION}s",
            "--timeout",
            "120s",
            "-s",
            str(script),
            HOST + path,
        ],
        capture=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"BENCH p50=(\d+) p95=(\d+) requests=(\d+) errors=(\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": int(m.group(1)) / 1000,
        "p95": int(m.group(2)) / 1000,
        "requests": int(m.group(3)),
        "errors": int(m.group(4)) + (int(non2xx.group(1)) if non2xx else 0),
    }


# The run ---------------------------------------------------------------------


def measure_size(size: int, ctx: dict, folder: Path) -> dict:
    """Every row at this size; each row gets a fresh gunicorn, so a slow row's
    backlog never spills into the next one. Memory is each worker's peak over
    its row, the largest row reported."""
    rows = {}
    cookie = {"Cookie": f"sessionid={ctx['session']}"}
    reading = f"/cables/{ctx['slug']}/"
    compare = f"/agendas/compare/?left={ctx['agendas'][0]}&right={ctx['agendas'][1]}"
    server = Server()
    try:
        etag = get(reading)[2].get("ETag", "")
        signed_in = get(reading, cookie)[1]
        assert b"bench-researcher" in signed_in or b"Bench" in signed_in, "session not accepted"
        search_ok = get("/search/?q=armistice")[0] == 200
        # Through nginx as browsers ask: compressed, with nginx's weak ETag.
        status, body, headers = get(reading, {**BROWSER, **cookie})
        assert status == 200 and headers.get("Content-Encoding") == "gzip", "nginx sent it plain"
        assert b"Bench" in gzip.decompress(body), "the compressed page is not the page"
        assert headers.get("ETag", "").startswith("W/"), "nginx kept the ETag strong"
    finally:
        server.stop()
    # (key, label, path, headers, paths of a mix, every request rendered afresh)
    pages = [
        ("baseline", "(a) baseline: /healthz", "/healthz", {}, None, False),
        ("reading", "(b) reading view, anonymous", reading, {}, None, False),
        ("reading_render", "(b) reading view, anonymous, rendered afresh (no page cache)",
         reading, {}, None, True),
        ("reading_user", f"(b) reading view, signed in ({ANNOTATIONS} notes)", reading,
         cookie, None, False),
        ("reading_user_plain", f"(b) reading view, signed in ({ANNOTATIONS} notes), "
         "client without gzip (nginx compresses nothing)", reading,
         {**cookie, "Accept-Encoding": ""}, None, False),
        ("reading_user_render", f"(b) reading view, signed in ({ANNOTATIONS} notes), "
         "rendered afresh", reading, cookie, None, True),
        ("reading_304", "(b) reading view, anonymous revalidation (304)", reading,
         {"If-None-Match": etag}, None, False),
        ("compare", "(c) agenda comparison", compare, {}, None, False),
        ("catalogue", "(d) catalogue (first page)", "/cables/", {}, None, False),
        ("catalogue_render", "(d) catalogue (first page), rendered afresh", "/cables/", {},
         None, True),
    ]  # fmt: skip
    if search_ok:
        paths = ["/search/?q=" + quote(q) for q in QUERIES]
        pages.append(("search", "(e) search, 20-query mix (repeats from the page cache)",
                      "/search/", {}, paths, False))  # fmt: skip
        pages.append(("search_render", "(e) search, 20-query mix, every request searched "
                      "afresh", "/search/", {}, paths, True))  # fmt: skip
        # The same from one client: each search's own time, without the
        # queueing of 8 connections on 2 workers.
        pages.append(("search_render_1", "(e) search, 20-query mix, searched afresh, one "
                      "client at a time", "/search/", {}, paths, True))  # fmt: skip
    memory = []
    for key, _, path, headers, paths, unique in pages:
        server = Server()
        try:
            warm_up(paths or [path], {**BROWSER, **headers})
            # Every request says what browsers say: it takes gzip (unless the row is
            # about a client that does not).
            sent = {**BROWSER, **headers}
            lua_headers = {k: v.replace('"', '\\"') for k, v in sent.items() if v}
            script = lua_script(
                folder, f"{key}-{size}", headers=lua_headers, paths=paths, unique=unique
            )
            rows[key] = wrk(path, script, connections=1 if key.endswith("_1") else 8)
            memory.append(server.peak_memory_mb())
        finally:
            server.stop()
        print(key, rows[key], flush=True)
    rows["_labels"] = {key: label for key, label, *_ in pages}
    rows["_search"] = search_ok
    rows["_memory"] = max(memory, key=max)
    return rows


def warm_up(paths: list[str], headers: dict) -> None:
    """Every address of the row asked twice at once, twice over, so that each of the
    two workers has imported, connected and (for rows the page cache may answer)
    kept every page before wrk starts: the rows measure the steady state."""
    from concurrent.futures import ThreadPoolExecutor

    sent = {k: v for k, v in headers.items() if v}
    with ThreadPoolExecutor(2) as pool:
        for _ in range(2):
            for path in paths:
                list(pool.map(lambda p: get(p, sent), [path, path]))


def import_rate() -> str:
    env = {**ENV, "DATABASE_URL": f"{PG}/{IMPORT_DB}"}
    fresh_database(IMPORT_DB)
    out = run([PY, "bench/import_speed.py", str(IMPORT_DOCS)], env=env, capture=True)
    psql(f"DROP DATABASE IF EXISTS {IMPORT_DB} WITH (FORCE)")
    return out.strip().splitlines()[-1]


def table(results: dict, sizes: list[int], generation: list[str], imported: str) -> str:
    heads = " | ".join(f"{s:,} cables: req/s · p50 · p95 (ms) · × baseline" for s in sizes)
    lines = [f"| Row | {heads} |", "|---|" + "---|" * len(sizes)]
    labels = {}
    for size in sizes:
        labels.update(results[size]["_labels"])
    labels.setdefault("search", "(e) search, 20-query mix")
    for key, label in labels.items():
        cells = []
        for size in sizes:
            r = results[size].get(key)
            if r is None:
                cells.append("not measured (no /search/ page yet)")
                continue
            base = results[size]["baseline"]["rps"]
            ratio = "" if key == "baseline" else f" · {r['rps'] / base:.2f}"
            errors = f" ({r['errors']} errors)" if r["errors"] else ""
            if not r["requests"]:
                cells.append(f"no response within the {DURATION} s run")
                continue
            cells.append(f"{r['rps']:,.0f} · {r['p50']:.1f} · {r['p95']:.1f}{ratio}{errors}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    memory = " | ".join(
        " / ".join(f"{m:.0f}" for m in results[s]["_memory"]) + " MB" for s in sizes
    )
    lines.append(f"| peak memory per worker (VmHWM) | {memory} |")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        growth = []
        for key in labels:
            a, b = results[small].get(key), results[large].get(key)
            if a and b and a["requests"] and b["requests"] and key != "baseline":
                growth.append(f"{key} {b['p95'] / a['p95']:.2f}×")
        lines.append("")
        lines.append(f"p95 at {large:,} ÷ p95 at {small:,}: " + ", ".join(growth))
    lines.append("")
    lines.append(f"Import rate: {imported}.")
    lines += [""] + [f"Generation: {g}" for g in generation]
    return "\n".join(lines)


def measure_sizes(ctx: dict, folder: Path) -> tuple[dict, list[str]]:
    """Every size in turn, the corpus grown to it first: the rows, and how the
    corpus was generated."""
    results, generation, have = {}, [], 0
    for n, size in enumerate(sorted(SIZES)):
        add = size - have
        slug = "synthetic-corpus" if n == 0 else f"synthetic-corpus-{n + 1}"
        t0 = time.perf_counter()
        out = manage(
            "generate_corpus", "--cables", str(add), "--seed", str(n + 1),
            "--collection", slug, capture=True,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        generation.append(
            f"{add:,} cables in {seconds:.0f} s ({add / seconds:,.0f} cables/s) — "
            + out.strip().splitlines()[-1]
        )
        print(generation[-1], flush=True)
        psql("VACUUM ANALYZE", DB)
        have = size
        results[size] = measure_size(size, ctx, folder)
    return results, generation


TITLE, LATEST, EARLIER = "# Benchmark results", "## Latest run", "## Earlier runs"


def write_results(run: str) -> None:
    """Put this run at the top of ``bench/results.md``; every earlier run stays below it."""
    path = BASE / "bench" / "results.md"
    old = path.read_text() if path.exists() else ""
    old = old.removeprefix(TITLE).lstrip("\n")
    previous, _, earlier = old.partition(EARLIER)
    dated = re.match(rf"{LATEST}(?: \(([^)]*)\))?\n", previous)
    previous = previous[dated.end() :].strip() if dated else previous.strip()
    parts = [TITLE, f"{LATEST} ({time.strftime('%Y-%m-%d')})", run.strip(), EARLIER]
    if previous:
        when = f"Run of {dated.group(1)}" if dated and dated.group(1) else "An earlier run"
        parts.append(f"### {when}\n\n{previous}")
    if earlier.strip():
        parts.append(earlier.strip())
    path.write_text("\n\n".join(parts) + "\n")


def main() -> None:
    for tool, path in (("wrk", shutil.which("wrk")), ("nginx", NGINX)):
        if path is None:
            raise SystemExit(f"{tool} is missing: sudo apt-get install -y {tool}")
    started = time.perf_counter()
    fresh_database(DB)
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("load_seed")
    out = manage("shell", "-c", SETUP_RESEARCHER, capture=True)
    ctx = {
        "session": re.search(r"SESSION (\S+)", out).group(1),
        "slug": re.search(r"SLUG (\S+)", out).group(1),
        "agendas": re.search(r"AGENDAS (\S+) (\S+)", out).group(1, 2),
    }
    with tempfile.TemporaryDirectory() as folder:
        proxy = Proxy(Path(folder))
        try:
            results, generation = measure_sizes(ctx, Path(folder))
        finally:
            proxy.stop()
    imported = import_rate()
    text = table(results, sorted(SIZES), generation, imported)
    header = (
        f"Measured by `make bench` (bench/run.py) on {os.cpu_count()} "
        "cores: nginx in front (deploy/nginx/readingroom.conf: it compresses), gunicorn "
        "behind it, 2 sync workers, PostgreSQL, DEBUG off; wrk 2 threads, 8 connections "
        f"(1 for the one-client row), {DURATION} s per row, loopback. Rows marked *rendered "
        "afresh* ask for a new address every time, so the page cache never answers them. "
        f"Run took {time.perf_counter() - started:.0f} s.\n\n"
    )
    write_results(header + text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
