"""Benchmark (not a test): import 1,000 generated Wilson-layout documents and report the rate.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/import_speed.py [COUNT]

Migrates the database named by DATABASE_URL, loads the seed's participants,
writes COUNT documents (default 1000) to a temporary folder and times
``manage.py import_cables`` on it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readingroom.settings")


def main(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from tests.import_helpers import load_people, write_wilson_documents

    call_command("migrate", verbosity=0)
    load_people()
    with tempfile.TemporaryDirectory() as folder:
        write_wilson_documents(Path(folder), count)
        started = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            call_command("import_cables", folder, stdout=devnull)
        elapsed = time.perf_counter() - started
    print(f"{count} documents in {elapsed:.1f} s: {count / elapsed:.0f} documents per second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
