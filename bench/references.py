"""How well references are found and resolved, against the hand-checked list (issue 16).

    .venv/bin/python bench/references.py [--held-out]

Makes a throwaway SQLite database, loads the seed and the bench's test exchange
(``bench/reference_cases.py``: 40 and more references, each with the record it
names or "not in this archive") and imports the importers' test documents
(``tests/data/layouts``, with their own hand-checked list), and prints a
markdown table for each:

- detection: precision (references found that are on the list) and recall
  (references on the list that were found; a find counts when its span
  overlaps the listed words in the same document);
- resolution: of the listed references the archive holds, how many resolve to
  the right record; of those it does not hold, how many are left on the
  want-list instead of pointing at a wrong record.

With ``--held-out``, the seed and the held-out list only
(``bench/reference_heldout.py``, written after the detector and not tuned to).

``measure()`` is what ``bench/tests/test_references.py`` checks the targets
with (precision ≥ 0.9, recall ≥ 0.8, ≥ 0.9 resolved right).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


@dataclass
class Measure:
    found: int = 0
    found_right: int = 0  # finds on the list
    listed: int = 0
    listed_found: int = 0
    resolvable: int = 0
    resolved_right: int = 0
    absent: int = 0
    absent_right: int = 0  # left unresolved, on the want-list
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found_right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.listed_found / self.listed if self.listed else 0.0

    @property
    def resolution(self) -> float:
        return self.resolved_right / self.resolvable if self.resolvable else 0.0

    @property
    def absent_rate(self) -> float:
        return self.absent_right / self.absent if self.absent else 0.0


def _key(ref) -> str | None:
    if ref.target_telegram_id:
        return f"telegram:{ref.target_cable.slug}:{ref.target_telegram.number}"
    if ref.target_cable_id:
        return f"cable:{ref.target_cable.slug}"
    return None


def measure(truth=None) -> Measure:
    """Compare the stored references of the listed documents with ``truth`` (the
    bench's list unless given; a few queries)."""
    from bench.reference_cases import TRUTH
    from telegrams.models import Reference

    TRUTH = TRUTH if truth is None else truth  # noqa: N806

    slugs = {slug for slug, _, _ in TRUTH}
    refs = list(
        Reference.objects.shown()
        .filter(passage__cable__slug__in=slugs)
        .select_related("passage__cable", "target_cable", "target_telegram")
    )
    texts = {}
    for ref in refs:
        texts.setdefault(ref.passage.cable.slug, []).append(ref)
    m = Measure(found=len(refs), listed=len(TRUTH))
    matched: set[int] = set()
    for slug, words, expected in TRUTH:
        hits = [
            r
            for r in texts.get(slug, [])
            if r.pk not in matched
            and (words in r.passage.text)
            and _overlaps(r, r.passage.text, words)
        ]
        if expected is None:
            m.absent += 1
        else:
            m.resolvable += 1
        if not hits:
            m.wrong.append(f"not found: {slug}: {words!r}")
            continue
        ref = hits[0]
        matched.add(ref.pk)
        m.listed_found += 1
        got = _key(ref)
        if expected is None:
            if got is None and ref.missing_id is not None:
                m.absent_right += 1
            else:
                m.wrong.append(f"resolved, should be absent: {words!r} -> {got}")
        elif got == expected:
            m.resolved_right += 1
        else:
            m.wrong.append(f"wrong target: {words!r} -> {got} (expected {expected})")
    m.found_right = len(matched)
    m.wrong += [
        f"not on the list: {r.passage.cable.slug}: {r.surface!r}"
        for r in refs
        if r.pk not in matched
    ]
    return m


def _overlaps(ref, text: str, words: str) -> bool:
    start = text.find(words)
    while start != -1:
        if ref.start < start + len(words) and start < ref.end:
            return True
        start = text.find(words, start + 1)
    return False


def table(m: Measure) -> str:
    return "\n".join(
        [
            "| Measure | Value |",
            "|---|---|",
            f"| References on the hand-checked list | {m.listed} "
            f"({m.resolvable} in this archive, {m.absent} not) |",
            f"| Detection precision | {m.precision:.2f} ({m.found_right} of {m.found} found) |",
            f"| Detection recall | {m.recall:.2f} ({m.listed_found} of {m.listed} listed) |",
            f"| Resolvable references resolved to the right record | {m.resolution:.2f} "
            f"({m.resolved_right} of {m.resolvable}) |",
            f"| References to records not in this archive left on the want-list | "
            f"{m.absent_rate:.2f} ({m.absent_right} of {m.absent}) |",
        ]
    )


def main() -> int:
    sys.path.insert(0, str(BASE))
    workdir = tempfile.mkdtemp(prefix="rr-references-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readingroom.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.reference_cases import TRUTH_LAYOUTS, load_exchange, load_layouts

    call_command("migrate", verbosity=0)
    call_command("load_seed", verbosity=0)
    if "--held-out" in sys.argv:
        # The held-out list, alone with the seed (bench/reference_heldout.py).
        from bench import reference_heldout

        load_exchange(reference_heldout.DOCUMENTS, reference_heldout.OFFICES)
        lists = [("Held out (bench/reference_heldout.py)", reference_heldout.TRUTH)]
    else:
        load_exchange()
        load_layouts(BASE)
        lists = [
            ("The seed and the test exchange", None),
            ("The importers' test documents (tests/data/layouts)", TRUTH_LAYOUTS),
        ]
    for title, truth in lists:
        m = measure(truth)
        print(f"\n{title}\n")
        print(table(m))
        for line in m.wrong:
            print(f"- {line}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
