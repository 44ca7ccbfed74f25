"""Helpers for the import tests and the import benchmark."""

from __future__ import annotations

import json
from pathlib import Path

from django.core import serializers

BASE = Path(__file__).resolve().parent.parent
SEED = BASE / "fixtures" / "seed.json"
SOURCE = BASE / "fixtures" / "117409.txt"
DATA = Path(__file__).resolve().parent / "data"
PEOPLE = {"cables.side", "cables.participant", "cables.alias"}


def load_people() -> None:
    """The seed's sides, participants and aliases only (no cable)."""
    objects = [o for o in json.loads(SEED.read_text(encoding="utf-8")) if o["model"] in PEOPLE]
    for obj in serializers.deserialize("json", json.dumps(objects)):
        obj.save()


def seed_rows(model: str) -> list[dict]:
    return [
        {"pk": o["pk"], **o["fields"]}
        for o in json.loads(SEED.read_text(encoding="utf-8"))
        if o["model"] == model
    ]


def wilson_document(n: int) -> str:
    """A Wilson-layout export of cable 117409's shape with its own record id and numbers."""
    text = SOURCE.read_text(encoding="utf-8")
    record = 900000 + n
    return (
        text.replace("/document/117409", f"/document/{record}")
        .replace("21680", str(30000 + n))
        .replace("3444", str(5000 + n))
        .replace("four telegrams", f"four telegrams (copy {n})")
    )


def write_wilson_documents(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"doc{n:04d}.txt").write_text(wilson_document(n), encoding="utf-8")
