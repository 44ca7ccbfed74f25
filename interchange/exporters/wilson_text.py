"""The Wilson Center Digital Archive's text export layout.

Title line with the date; Citation; Summary; Credits; Original Language;
Contents; the text -- byte for byte what the archive gives for the seed cable.
"""

from __future__ import annotations

from cables.models import Cable
from interchange.exporters.citations import us_date


def wilson_text(cable: Cable) -> str:
    """The cable in the archive's text-export layout (uses prefetched passages)."""
    # The archive's first line: the date as it writes it (an approximate one as
    # written, none for an undated record), then the title.
    date = cable.date_as_written if cable.date_to or not cable.date else us_date(cable.date)
    parts = ["", "", f"{date} {cable.title}".strip()]
    for label, value in (
        ("Citation", cable.citation),
        ("Summary", cable.summary),
        ("Credits", cable.credits),
        ("Original Language", cable.original_language),
        ("Contents", cable.contents_label),
    ):
        if value:
            parts += ["", f"{label}:", "", value]
    return "\n".join(parts) + "\n\n" + cable.text()
