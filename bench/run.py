"""The Reading Room benchmark (``make bench``): one table, measured in one run.

    .venv/bin/python bench/run.py                 # 1,000 and 100,000 cables
    BENCH_SIZES=1000 .venv/bin/python bench/run.py   # the quick run

What it does, on this machine, loopback only:

1. Drops and creates the PostgreSQL database ``readingroom_bench`` (at
   ``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), migrates it,
   collects static files and loads the seed collection.
2. Creates a researcher with 200 (private) annotations on the seed cable and a
   session for them (the signed-in rows send its cookie), and a second
   researcher, the writer, with a session of its own.
3. Serves as production does: nginx in front (Debian's, run in the foreground
   as a child with its configuration, pid, logs and temporary files in a temp
   folder), listening on ``BENCH_PORT`` (default 8765) and proxying to gunicorn
   on the next port, with the deployment's own server configuration
   (``deploy/nginx/readingroom.conf``, included as docker-compose's proxy
   includes it: compression is nginx's).
4. For each size: generates the synthetic corpus up to that many cables
   (``generate_corpus``; the 100,000 run adds 99,000 to the 1,000), runs
   ``VACUUM ANALYZE``, keeps every cable's fixed layers in the database for the
   address the rows ask (``keep_layers``, as an archive does after an import),
   lists every published cable's reading-view address from the database
   (``LISTING``, through the ORM), starts gunicorn (2 workers, DEBUG off, a
   throw-away SECRET_KEY, ALLOWED_HOSTS=127.0.0.1), warms every page up (except
   for the rows across the archive), then runs ``wrk`` against nginx (2
   threads, 8 connections, ``BENCH_DURATION`` seconds, default 10, per row;
   ``BENCH_PAIRED_DURATION``, default 30 or more, for the writer's rows and the two
   they are compared with, which 20 posts did not settle), every request saying
   ``Accept-Encoding: gzip, deflate`` as browsers do (one row repeats the
   signed-in reading view for a client that does not, which nginx sends
   uncompressed: the difference is what compressing costs), and reads each
   worker's peak memory (VmHWM) before stopping it. The baseline
   (``/bench/baseline``, ``bench.views.baseline``: a fixed body through the
   whole middleware stack, no query; not the health check, which asks the
   database and the cache since issue 15) goes through nginx too, so every
   ratio compares like with like. Rows (a)–(e) ask one page (or the 20
   searches) again and again; the rows of issue 13 ask as readers do:

   - (f) *across the archive*: a random cable per request (``LUA_RANDOM``: a
     reproducible sequence per wrk thread and row) out of every published cable of the
     size, less the first 5 synthetic ones, which are the writer's; with no
     warm-up, so the page cache holds only what the row itself put in.
     Anonymous; again while the writer writes; and signed in as the
     researcher, with the session and the CSRF cookies a browser sends back.
   - (f) the seed's reading view from the page cache, as (b), while the writer
     writes.
   - The writer (``bench/writer.py``, a process of its own, started for the
     row and stopped when wrk is done, or when the row fails) is the second
     researcher adding 2 notes a second (``WRITE_RATE``) on the writer's 5
     cables, over HTTP through nginx as the reading view does: the compose
     form, then the htmx post with the CSRF token. The row keeps its account
     (notes saved, failed, started late) and checks it against the database.
   - (g) *fresh render, one client*: a typical synthetic cable (the median by
     text length of the first 1,000) and the seed signed in with its 200
     notes, each at a new address every request (as the *rendered afresh*
     rows), 1 connection: the render's own time, p50 and p95.

   Under the table, the rows against issue 13's targets: (f) at least 0.15×
   the baseline; with the writer within 10 % of the same row without it; (g)
   p50 at most 10 ms for the typical cable and 30 ms for the seed; workers
   under 200 MB at 100,000 cables.
5. Measures the import rate (``bench/import_speed.py``: generated Wilson-layout
   documents through ``import_cables``) in a database of its own.
6. Prints the table and writes ``bench/results.md``.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import gzip
import hashlib
import json
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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE = Path(__file__).resolve().parent.parent
PY = str(BASE / ".venv" / "bin" / "python") if (BASE / ".venv").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "readingroom_bench")
IMPORT_DB = f"{DB}_import"
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # nginx, which wrk asks
APP_PORT = PORT + 1  # gunicorn, which nginx asks
HOST = f"http://127.0.0.1:{PORT}"
APP_HOST = f"http://127.0.0.1:{APP_PORT}"
NGINX_SITE = BASE / "deploy" / "nginx" / "readingroom.conf"
# Debian installs nginx in /usr/sbin, which a user's PATH may not name.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
# The rows the writer's are compared with, and the writer's own, run longer: a
# 10-second row holds about 20 posts, and "with the writer ÷ without" scattered
# from 0.75× to 1.16× between runs of the same code (bench/results.md).
PAIRED_DURATION = int(os.environ.get("BENCH_PAIRED_DURATION", str(max(DURATION, 30))))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000").split(",") if s.strip()]
# Some rows only (their keys, e.g. BENCH_ROWS=baseline,across,across_writer), for a
# quick comparison of two settings; the import rate is then not measured.
# Measure the database a stopped run left (its corpus, researchers and notes),
# instead of dropping it: no generation for a size it already holds, keep_layers
# only for the cables not kept yet, fresh sessions for the same two researchers.
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")
ROWS = {k.strip() for k in os.environ.get("BENCH_ROWS", "").split(",") if k.strip()}
IMPORT_DOCS = int(os.environ.get("BENCH_IMPORT_DOCS", "1000"))
SEED_SLUG = "117409"  # resolved to the seed cable's slug at setup
ANNOTATIONS = 200
WRITER = "bench-writer"  # the researcher bench/writer.py signs in as
WRITE_RATE = 2  # notes a second
WRITER_CABLES = 5  # synthetic cables kept for the writer, out of the readers' list
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
    # The writer posts as a browser does, saying its origin, port and all; nginx
    # passes the host on without the port ($host), as a deployment on 443 does.
    "CSRF_TRUSTED_ORIGINS": HOST,
    "LOG_LEVEL": "WARNING",
}

SETUP_RESEARCHER = f"""
from django.contrib.auth import get_user_model
from annotations.markdown import render_markdown
from annotations.models import Annotation
from cables.models import Cable
cable = Cable.objects.get(record_id="117409")
User = get_user_model()
user = User.objects.create_user("bench-researcher", password=None, first_name="Bench")
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
writer = User.objects.create_user("{WRITER}", password=None, first_name="Writer")
"""

# Sessions for the two researchers SETUP_RESEARCHER made (a run that reuses the
# database makes new ones), and what the rows ask for.
SESSIONS = f"""
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from cables.models import Cable
from telegrams.models import Agenda
cable = Cable.objects.get(record_id="117409")
User = get_user_model()
user, writer = User.objects.get(username="bench-researcher"), User.objects.get(username="{WRITER}")
def signed_in(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # Django's, not axes'
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key
agendas = list(Agenda.objects.filter(telegram__passage__cable=cable).order_by("side__position"))
print("SESSION", signed_in(user))
print("WRITER", signed_in(writer))
print("SLUG", cable.slug)
print("AGENDAS", agendas[0].slug, agendas[1].slug)
"""


# The readers' list and the writer's passages, at each size: every published cable's
# reading-view address (as the app spells it) in a file, one a line, less the
# first WRITER_CABLES synthetic cables, whose passages go to the writer; and a
# typical synthetic cable (the median by text length of the first 1,000).
LISTING = f"""
import json, os
from pathlib import Path
from django.db.models import Sum
from django.db.models.functions import Length
from cables.models import Cable
folder = Path(os.environ["BENCH_LISTING"])
published = Cable.objects.published()
synthetic = published.filter(slug__startswith="synthetic-").order_by("pk")
kept = list(synthetic[:{WRITER_CABLES}])
kept_pks = {{c.pk for c in kept}}
n = 0
with open(folder / "readers.txt", "w") as out:
    for cable in published.only("slug").order_by("pk").iterator(chunk_size=5000):
        if cable.pk not in kept_pks:
            out.write(cable.get_absolute_url() + "\\n")
            n += 1
passages = [
    {{"id": p.pk, "url": c.get_absolute_url(), "text": p.text}}
    for c in kept for p in c.passages.order_by("position") if len(p.text) > 40
]
(folder / "writer.json").write_text(json.dumps(passages))
sizes = sorted(
    synthetic.exclude(pk__in=kept_pks).annotate(chars=Sum(Length("passages__text")))
    .order_by("pk").values_list("chars", "slug")[:1000]
)
chars, slug = sizes[len(sizes) // 2]
print("READERS", n)
print("WRITER_CABLES", " ".join(c.get_absolute_url() for c in kept))
print("TYPICAL", Cable.objects.get(slug=slug).get_absolute_url(), chars)
"""


def run(args, env=ENV, capture=False, **kw):
    print("$", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run(
        args, env=env, cwd=BASE, check=True, text=True, capture_output=capture, **kw
    )
    return result.stdout if capture else ""


def gunicorn_workers() -> str:
    """The workers deploy/gunicorn.conf.py gives in this environment, in words."""
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    threads = int(os.environ.get("GUNICORN_THREADS", "1"))
    if threads > 1:
        return f"{workers} threaded workers of {threads} threads"
    return f"{workers} sync workers"


def manage(*args, capture=False):
    return run([PY, "manage.py", *args], capture=capture)


def psql(sql: str, db: str = "postgres", params=()) -> tuple | None:
    """Run ``sql``; its first row, if it returns rows."""
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def notes_by(username: str) -> int:
    """How many annotations ``username`` has in the bench database."""
    sql = (
        "SELECT count(*) FROM annotations_annotation a JOIN auth_user u "
        "ON u.id = a.author_id WHERE u.username = %s"
    )
    return psql(sql, DB, (username,))[0]


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
                "--config",
                str(BASE / "deploy" / "gunicorn.conf.py"),
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
    map $http_x_forwarded_proto $readingroom_scheme {{
        default $http_x_forwarded_proto;
        "" $scheme;
    }}
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


# A random address per request out of a file of them, one a line (a readers'
# list of 100,000 is too many constants for one Lua chunk); each thread draws
# its own reproducible sequence.
LUA_RANDOM = """
local paths = {{}}
for line in io.lines("{listing}") do paths[#paths + 1] = line end
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  math.randomseed(13 * tid + {salt})
end
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""


def lua_script(
    folder: Path,
    name: str,
    *,
    headers=None,
    paths=None,
    unique: bool = False,
    listing: Path | None = None,
) -> Path:
    lines = []
    for key, value in (headers or {}).items():
        lines.append(f'wrk.headers["{key}"] = "{value}"')
    if listing:
        # Each row its own sequence: a row asking the cables the row before it asked
        # would find them warm in the database's buffers (the writer's row read
        # 21 % faster than the row it is compared with, at 100,000 cables).
        salt = int(hashlib.blake2b(name.encode(), digest_size=4).hexdigest(), 16) % 100_000
        lines.append(LUA_RANDOM.format(listing=listing, salt=salt))
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


def wrk(path: str, script: Path, connections: int = 8, duration: int = DURATION) -> dict:
    out = run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
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


class Writer:
    """``bench/writer.py`` in a process of its own, signed in as WRITER, writing
    WRITE_RATE notes a second on the writer's cables while a row runs."""

    def __init__(self, session: str, passages: Path):
        self.before = notes_by(WRITER)
        command = [PY, "bench/writer.py", HOST, session, str(passages), str(WRITE_RATE)]
        print("$", " ".join(command), flush=True)
        self.proc = subprocess.Popen(command, cwd=BASE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.proc.kill()
            rest = self.proc.communicate()[0]
            raise RuntimeError(f"the writer did not start: {line}{rest}")

    def stop(self) -> dict:
        """Stopped (SIGTERM: it finishes the note in hand), its account of the
        notes, and how many the database gained meanwhile."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out = self.proc.communicate(timeout=90)[0]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out = self.proc.communicate()[0]
        lines = out.strip().splitlines()
        summary = json.loads(lines[-1]) if lines else {}
        if "added" not in summary:  # it ended without its account
            summary = {"added": 0, "failed": None, "error": out.strip() or "no output"}
        summary["in_db"] = notes_by(WRITER) - self.before
        return summary


@dataclass
class Row:
    key: str
    label: str
    path: str  # the address wrk is given (and asks, unless a mix or a list says otherwise)
    headers: dict = field(default_factory=dict)
    paths: list[str] | None = None  # a mix, asked in turn
    unique: bool = False  # every request a new address: rendered afresh
    listing: Path | None = None  # a random address per request out of this file
    warm: bool = True  # every address asked before wrk starts
    writer: bool = False  # bench/writer.py writes while wrk reads
    connections: int = 8
    paired: bool = False  # compared with or without the writer: PAIRED_DURATION seconds

    @property
    def duration(self) -> int:
        return PAIRED_DURATION if self.paired else DURATION


def measure_size(size: int, ctx: dict, folder: Path) -> dict:
    """Every row at this size; each row gets a fresh gunicorn, so a slow row's
    backlog never spills into the next one. Memory is each worker's peak over
    its row, the largest row reported."""
    rows = {}
    cookie = {"Cookie": f"sessionid={ctx['session']}"}
    reading = f"/cables/{ctx['slug']}/"
    compare = f"/agendas/compare/?left={ctx['agendas'][0]}&right={ctx['agendas'][1]}"
    listing = folder / f"listing-{size}"
    listing.mkdir()
    out = run([PY, "manage.py", "shell", "-c", LISTING], env={**ENV, "BENCH_LISTING": str(listing)},
              capture=True)  # fmt: skip
    readers = int(re.search(r"READERS (\d+)", out).group(1))
    kept = re.search(r"WRITER_CABLES (.*)", out).group(1).split()
    typical, chars = re.search(r"TYPICAL (\S+) (\d+)", out).group(1, 2)
    listed = set((listing / "readers.txt").read_text().split())
    assert len(listed) == readers and not listed & set(kept), "the writer's cables are read"
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
        # A browser sends back the CSRF cookie the first signed-in page set.
        csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        assert csrf, "a signed-in page set no CSRF cookie"
        browser_cookie = {"Cookie": f"sessionid={ctx['session']}; csrftoken={csrf.group(1)}"}
        status, body, _ = get(typical)
        assert status == 200, f"{typical} does not answer"
        typical_kb = len(body) / 1024
    finally:
        server.stop()
    writing = f"while a writer adds {WRITE_RATE} notes/s on {WRITER_CABLES} other cables"
    pages = [
        Row("baseline", "(a) baseline: /bench/baseline", "/bench/baseline"),
        Row("reading", "(b) reading view, anonymous", reading, paired=True),
        Row("reading_render", "(b) reading view, anonymous, rendered afresh (no page cache)",
            reading, unique=True),
        Row("reading_user", f"(b) reading view, signed in ({ANNOTATIONS} notes)", reading,
            cookie),
        Row("reading_user_plain", f"(b) reading view, signed in ({ANNOTATIONS} notes), "
            "client without gzip (nginx compresses nothing)", reading,
            {**cookie, "Accept-Encoding": ""}),
        Row("reading_user_render", f"(b) reading view, signed in ({ANNOTATIONS} notes), "
            "rendered afresh", reading, cookie, unique=True),
        Row("reading_304", "(b) reading view, anonymous revalidation (304)", reading,
            {"If-None-Match": etag}),
        Row("compare", "(c) agenda comparison", compare),
        Row("catalogue", "(d) catalogue (first page)", "/cables/"),
        Row("catalogue_render", "(d) catalogue (first page), rendered afresh", "/cables/",
            unique=True),
    ]  # fmt: skip
    if search_ok:
        paths = ["/search/?q=" + quote(q) for q in QUERIES]
        pages += [
            Row("search", "(e) search, 20-query mix (repeats from the page cache)",
                "/search/", paths=paths),
            Row("search_render", "(e) search, 20-query mix, every request searched afresh",
                "/search/", paths=paths, unique=True),
            # The same from one client: each search's own time, without the
            # queueing of 8 connections on 2 workers.
            Row("search_render_1", "(e) search, 20-query mix, searched afresh, one client "
                "at a time", "/search/", paths=paths, unique=True, connections=1),
        ]  # fmt: skip
    readers_file = listing / "readers.txt"
    pages += [
        # Readers as they are: a different cable each time, none asked before.
        Row("across", "(f) reading across the archive: a random cable per request out of "
            f"all of them (less the writer's {WRITER_CABLES}), anonymous, no warm-up",
            reading, listing=readers_file, warm=False, paired=True),
        Row("across_writer", f"(f) the same {writing}", reading, listing=readers_file,
            warm=False, writer=True, paired=True),
        Row("across_user", "(f) reading across the archive, signed in (session and CSRF "
            "cookies), no warm-up", reading, browser_cookie, listing=readers_file,
            warm=False),
        Row("reading_writer", f"(f) the seed's reading view, anonymous, as (b), {writing}",
            reading, writer=True, paired=True),
        # One client: the render's own time, which the issue's targets are for.
        Row("typical_render_1", f"(g) a typical synthetic cable (the median: {int(chars):,} "
            f"characters of text, a {typical_kb:.0f} KB page), rendered afresh, one client",
            typical, unique=True, connections=1),
        Row("reading_user_render_1", f"(g) reading view, signed in ({ANNOTATIONS} notes), "
            "rendered afresh, one client", reading, cookie, unique=True, connections=1),
    ]  # fmt: skip
    if ROWS:
        pages = [row for row in pages if row.key in ROWS | {"baseline"}]
    memory = []
    for row in pages:
        # Every request says what browsers say: it takes gzip (unless the row is
        # about a client that does not).
        sent = {**BROWSER, **row.headers}
        lua_headers = {k: v.replace('"', '\\"') for k, v in sent.items() if v}
        script = lua_script(
            folder, f"{row.key}-{size}", headers=lua_headers, paths=row.paths,
            unique=row.unique, listing=row.listing,
        )  # fmt: skip
        server = Server()
        try:
            if row.warm:
                warm_up(row.paths or [row.path], sent)
            writer = Writer(ctx["writer"], listing / "writer.json") if row.writer else None
            try:
                rows[row.key] = wrk(
                    row.path, script, connections=row.connections, duration=row.duration
                )
            finally:
                if writer is not None:
                    written = writer.stop()
            if writer is not None:
                rows[row.key]["writer"] = written
                print(f"{row.key}: the writer {json.dumps(written)}", flush=True)
                if written["failed"] != 0 or written["in_db"] != written["added"]:
                    print(f"WARNING: {row.key}: the writer did not write as it should", flush=True)
            memory.append(server.peak_memory_mb())
        finally:
            server.stop()
        print(row.key, rows[row.key], flush=True)
    rows["_labels"] = {row.key: row.label for row in pages}
    rows["_search"] = search_ok
    rows["_memory"] = max(memory, key=max)
    rows["_readers"] = readers
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
                cells.append("no response within the row's run")
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
    lines += [""] + issue_13(results, sizes)
    lines.append("")
    lines.append(f"Import rate: {imported}.")
    lines += [""] + [f"Generation: {g}" for g in generation]
    return "\n".join(lines)


def issue_13(results: dict, sizes: list[int]) -> list[str]:
    """The rows against issue 13's targets, at each size, and what the writer did."""

    def each(measure) -> str:
        cells = []
        for size in sizes:
            value = measure(results[size])
            if value is not None:
                cells.append(f"{size:,}: {value}")
        return "; ".join(cells) or "not measured"

    def ratio(key: str, to: str, target) -> callable:
        def measure(r: dict):
            a, b = r.get(key), r.get(to)
            if not (a and b and a["rps"] and b["rps"]):
                return None
            value = a["rps"] / b["rps"]
            if target is None:
                return f"{value:.2f}×"
            return f"{value:.2f}× ({'met' if target(value) else 'missed'})"

        return measure

    def p50(key: str, ceiling: float) -> callable:
        def measure(r: dict):
            a = r.get(key)
            if not (a and a["requests"]):
                return None
            return f"{a['p50']:.1f} ms ({'met' if a['p50'] <= ceiling else 'missed'})"

        return measure

    def written(key: str) -> callable:
        def measure(r: dict):
            w = r.get(key, {}).get("writer")
            if w is None:
                return None
            parts = [
                f"{w['added']} notes in {w.get('seconds', 0):.0f} s ({w.get('rate', 0):.1f}/s)",
                f"{w['failed']} failed",
                f"{w['in_db']} new in the database",
            ]
            if w.get("late"):
                parts.append(f"{w['late']} started late")
            if w.get("not_started"):
                parts.append(f"{w['not_started']} not started")
            if w.get("post_p50_ms"):
                parts.append(f"post p50 {w['post_p50_ms']:.0f} ms")
            parts += w.get("failures", []) + ([w["error"]] if w.get("error") else [])
            return ", ".join(parts)

        return measure

    def within(value: float) -> bool:  # "within 10 %": slower by no more than that
        return value >= 0.9

    largest = sizes[-1]
    peak = max(results[largest]["_memory"])
    return [
        "Issue 13's targets:",
        "",
        "- (f) across the archive, anonymous, ≥ 0.15× baseline: "
        + each(ratio("across", "baseline", lambda v: v >= 0.15)),
        "- (f) across the archive with the writer ÷ without, within 10 %: "
        + each(ratio("across_writer", "across", within)),
        "- (f) the seed's cached view with the writer ÷ (b) without, within 10 %: "
        + each(ratio("reading_writer", "reading", within)),
        "- (f) across the archive, signed in (no target), × baseline: "
        + each(ratio("across_user", "baseline", None)),
        "- (g) a typical cable rendered afresh, one client, p50 ≤ 10 ms: "
        + each(p50("typical_render_1", 10)),
        f"- (g) the seed with {ANNOTATIONS} notes, signed in, rendered afresh, one client, "
        "p50 ≤ 30 ms: " + each(p50("reading_user_render_1", 30)),
        f"- peak memory per worker < 200 MB at {largest:,} cables: {peak:.0f} MB "
        f"({'met' if peak < 200 else 'missed'})",
        "- the writer, across the archive: " + each(written("across_writer")),
        "- the writer, the seed's view: " + each(written("reading_writer")),
    ]


def keep_layers(parts: int = 2) -> str:
    """Render and keep every cable's fixed layers for the address the rows ask
    (``manage.py keep_layers``, as after an import), one process per core."""
    t0 = time.perf_counter()
    # The origin the app sees: nginx passes the request's host ($host), which
    # names no port, and the scheme it was asked in.
    command = [PY, "manage.py", "keep_layers", "--origin", "http://127.0.0.1"]
    procs = [
        subprocess.Popen(
            [*command, "--part", f"{k}/{parts}"],
            env=ENV,
            cwd=BASE,
            text=True,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        for k in range(1, parts + 1)
    ]
    outs = [p.communicate()[0].strip() for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"keep_layers failed: {outs}")
    seconds = time.perf_counter() - t0
    kept = sum(
        int(re.search(r"Kept the layers of ([\d,]+)", o).group(1).replace(",", "")) for o in outs
    )
    return (
        f"Layers kept (keep_layers, {parts} processes): {kept:,} cables in {seconds:.0f} s "
        f"({kept / seconds:,.0f} cables/s)"
    )


def measure_sizes(ctx: dict, folder: Path) -> tuple[dict, list[str]]:
    """Every size in turn, the corpus grown to it first: the rows, and how the
    corpus was generated."""
    results, generation, have = {}, [], 0
    if REUSE:
        (have,) = psql(
            "SELECT count(*) FROM cables_cable WHERE left(slug, 17) = 'synthetic-corpus-'", DB
        )
    for n, size in enumerate(sorted(SIZES)):
        if REUSE and have >= size:
            generation.append(f"{have:,} synthetic cables already in the database (BENCH_REUSE)")
            generation.append(keep_layers())
            print(generation[-1], flush=True)
            results[size] = measure_size(size, ctx, folder)
            continue
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
        generation.append(keep_layers())
        print(generation[-1], flush=True)
        (kept_at,) = psql("SELECT now()", DB)
        have = size
        results[size] = measure_size(size, ctx, folder)
        # Layers the pages rendered themselves (a cable the writer changed, or an
        # origin keep_layers was not given: then the rows (f) measure rendering).
        (rendered, other) = psql(
            "SELECT count(*) FILTER (WHERE rendered_at > %s),"
            " count(*) FILTER (WHERE origin <> 'http://127.0.0.1') FROM reading_keptlayers",
            DB, (kept_at,),
        )  # fmt: skip
        generation.append(
            f"Layers rendered by the pages during the rows at {size:,} cables: {rendered:,} "
            f"({other:,} for another origin)"
        )
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
    if not REUSE:
        fresh_database(DB)
        # (Not on a database reused: migrate reinstalls the version triggers, which
        # moves the archive's version, and every kept row would be rendered again.)
        manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    if not REUSE:
        manage("load_seed")
        manage("shell", "-c", SETUP_RESEARCHER)
    out = manage("shell", "-c", SESSIONS, capture=True)
    ctx = {
        "session": re.search(r"SESSION (\S+)", out).group(1),
        "writer": re.search(r"WRITER (\S+)", out).group(1),
        "slug": re.search(r"SLUG (\S+)", out).group(1),
        "agendas": re.search(r"AGENDAS (\S+) (\S+)", out).group(1, 2),
    }
    with tempfile.TemporaryDirectory() as folder:
        proxy = Proxy(Path(folder))
        try:
            results, generation = measure_sizes(ctx, Path(folder))
        finally:
            proxy.stop()
    imported = import_rate() if not ROWS else "Import rate: not measured (BENCH_ROWS)."
    text = table(results, sorted(SIZES), generation, imported)
    header = (
        f"Measured by `make bench` (bench/run.py) on {os.cpu_count()} "
        "cores: nginx in front (deploy/nginx/readingroom.conf: it compresses), gunicorn "
        f"behind it (deploy/gunicorn.conf.py: {gunicorn_workers()}), PostgreSQL, DEBUG off; "
        "wrk 2 threads, 8 connections "
        f"(1 for the one-client rows), {DURATION} s per row ({PAIRED_DURATION} s for the "
        "writer's rows and the rows they are compared with), loopback. Rows marked *rendered "
        "afresh* ask for a new address every time, so the page cache never answers them. "
        f"Run took {time.perf_counter() - started:.0f} s.\n\n"
    )
    write_results(header + text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
