"""The network's filters: a date range, a minimum weight, and one person."""

from __future__ import annotations

from django import forms

from cables.forms import ParticipantField
from network.graph import Range

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_WEIGHT = 1_000_000


def _date_field(label: str, name: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        widget=DATE_INPUT,
        error_messages={"invalid": f"“{name}” must be a date such as 1951-07-10."},
    )


class DateRangeForm(forms.Form):
    """``?from=1951-07-01&to=1951-07-31``: either end may be left open.

    ``from`` is a keyword in Python, so the fields are set in ``__init__``.
    """

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["from"] = _date_field("From", "From")
        self.fields["to"] = _date_field("To", "To")

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The range starts after it ends: “From” ({start.day} {start:%B %Y}) "
                f"is later than “To” ({end.day} {end:%B %Y})."
            )
        return data

    @property
    def range(self) -> Range:
        """The valid filters as a :class:`Range` (invalid ones left out)."""
        data = getattr(self, "cleaned_data", {})
        if self.non_field_errors():
            return Range(min_weight=data.get("min") or 1)
        return Range(start=data.get("from"), end=data.get("to"), min_weight=data.get("min") or 1)

    def reasons(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]


class NetworkFilter(DateRangeForm):
    """The network page's and the exports' filters (one query with a person, else none)."""

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["min"] = forms.IntegerField(
            required=False,
            label="At least",
            min_value=1,
            max_value=MAX_WEIGHT,
            widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
            error_messages={
                "invalid": "“At least” must be a whole number of records, such as 2.",
                "min_value": "“At least” must be 1 or more.",
                "max_value": f"“At least” must be at most {MAX_WEIGHT:,}.",
            },
        )
        self.fields["participant"] = ParticipantField(label="Person")
