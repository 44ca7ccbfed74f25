"""What the pages weigh on the wire: raw bytes and gzip (level 6) bytes.

    DJANGO_SETTINGS_MODULE=readingroom.settings .venv/bin/python bench/page_weight.py

Measures the cost of the templates' whitespace (indentation, one element per
line) as the issue asks: "compression makes the whitespace nearly free;
measure it". It builds a throw-away SQLite database (``/tmp/rr_weight.sqlite3``,
or ``PAGE_WEIGHT_DB``), migrates it, loads the seed collection, and renders
with Django's test client:

- the seed reading view, anonymous (the seed's own public corrections only);
- the same, signed in as a researcher with 200 public notes on the seed cable;
- the agenda comparison (its default: the first two agendas);
- search for "armistice";
- the catalogue's first page.

Prints a Markdown table: page, bytes raw, bytes gzip (``gzip.compress``,
level 6). The body is what the view renders, with one change: the CSRF token
(random per request) is swapped for a fixed token of the same length and
alphabet, and the notes' times are set to one fixed moment, so that two runs
on the same templates print the same numbers.
Nothing here runs in the test suite.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import string
import sys
from datetime import UTC, datetime
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DB = Path(os.environ.get("PAGE_WEIGHT_DB", "/tmp/rr_weight.sqlite3"))
NOTES = 200
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)  # every note's created/updated
SEED_SLUG = "cable-21680-mao-to-filippov-1951-07-11"  # tests/annotation_cases.py
TOKEN = re.compile(
    rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"|"X-CSRFToken": "([A-Za-z0-9]+)"'
)

# Before django.setup(): the settings read these when imported.
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readingroom.settings")
sys.path.insert(0, str(BASE))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from annotations import services  # noqa: E402
from annotations.models import Annotation  # noqa: E402
from cables.models import Cable  # noqa: E402


def fresh_database() -> None:
    for path in (DB, DB.with_name(DB.name + "-journal"), DB.with_name(DB.name + "-wal")):
        path.unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seed", verbosity=0, stdout=io.StringIO())
    steady_times()


def steady_times() -> None:
    Annotation.objects.update(created=WHEN, updated=WHEN)


def researcher_with_notes(cable: Cable, n: int = NOTES):
    """A researcher with ``n`` public notes spread over the seed cable's passages."""
    user = get_user_model().objects.create_user(
        "weight-researcher", "weight@example.org", None, first_name="Wanda"
    )
    passages = [p for p in cable.passages.all() if len(p.text) > 40]
    for i in range(n):
        p = passages[i % len(passages)]
        start = (i * 37) % (len(p.text) - 20)
        end = start + 12
        services.create_annotation(
            user=user,
            passage=p,
            start=start,
            end=end,
            exact=p.text[start:end],
            body=f"Note {i}: *check* this against the Chinese text.",
            visibility=Annotation.Visibility.PUBLIC,
            tags=["weight"] if i % 5 == 0 else [],
        )
    steady_times()
    return user


def steady_token(body: bytes) -> bytes:
    """``body`` with its CSRF token(s) replaced by one fixed, as random-looking, token."""
    rng = random.Random(1951)
    alphabet = string.ascii_letters + string.digits
    for token in {t for m in TOKEN.finditer(body) for t in m.groups() if t}:
        fixed = "".join(rng.choice(alphabet) for _ in token).encode()
        body = body.replace(token, fixed)
    return body


def weigh(client: Client, path: str) -> tuple[int, int]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert "Content-Encoding" not in response, path  # the test client asks for no gzip
    body = steady_token(response.content)
    return len(body), len(gzip.compress(body, compresslevel=6))


def main() -> None:
    fresh_database()
    cable = Cable.objects.get(slug=SEED_SLUG)
    reading = f"/cables/{cable.slug}/"
    anonymous = Client(HTTP_HOST="localhost")
    rows = [("reading view, anonymous", reading, weigh(anonymous, reading))]

    user = researcher_with_notes(cable)
    signed_in = Client(HTTP_HOST="localhost")
    signed_in.force_login(user)
    rows.append((f"reading view, signed in ({NOTES} notes)", reading, weigh(signed_in, reading)))

    for label, path in (
        ("agenda comparison", "/agendas/compare/"),
        ("search: armistice", "/search/?q=armistice"),
        ("catalogue (first page)", "/cables/"),
    ):
        rows.append((label, path, weigh(anonymous, path)))

    print("| Page | Path | Bytes raw | Bytes gzip |")
    print("|---|---|---:|---:|")
    for label, path, (raw, packed) in rows:
        print(f"| {label} | `{path}` | {raw:,} | {packed:,} |")


if __name__ == "__main__":
    main()
