"""English month names and their common short forms, to their numbers (1–12).

Shared by the importers' date parsing (``interchange.importers.dates``) and the
reference finder (``telegrams.references``); both build their patterns from it,
longest name first.
"""

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
