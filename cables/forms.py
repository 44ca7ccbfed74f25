"""Form fields shared by the reading room's filter forms."""

from __future__ import annotations

from django import forms
from django.db.models import Case, Q, When
from django.urls import reverse_lazy

from cables.models import Cable, Participant

SUGGESTIONS = 12  # names offered while typing


class SuggestInput(forms.TextInput):
    """A text box that offers matches as you type (a ``<datalist>`` filled by htmx from
    ``url``). The page stays the same size however large the archive; without
    JavaScript the value can still be typed in full."""

    template_name = "cables/_suggest_input.html"

    def __init__(self, url, placeholder, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "placeholder": placeholder,
                "hx-get": url,
                "hx-trigger": "input changed delay:250ms",
                "hx-sync": "this:replace",
                # Not the enclosing filter form's: the options replace the datalist's.
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["list_id"] = f"{widget['attrs'].get('id') or name}-suggestions"
        widget["attrs"]["list"] = widget["list_id"]
        widget["attrs"]["hx-target"] = f"#{widget['list_id']}"
        return context


class ParticipantInput(SuggestInput):
    """The person box: names and aliases from /participants/suggestions/."""

    def __init__(self, attrs=None):
        super().__init__(reverse_lazy("cables:participant_suggestions"), "Anyone", attrs)


class CableInput(SuggestInput):
    """The cable box: titles from /cables/suggestions/ (the value is the identifier)."""

    def __init__(self, attrs=None):
        super().__init__(reverse_lazy("cables:cable_suggestions"), "Any cable", attrs)


class LookupField(forms.CharField):
    """A box naming one object; cleans to that object (``find``) or to ``None`` when empty.

    One query when a value is given, none when it is empty. Subclasses give
    ``find(text)`` and the ``unknown`` message.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def find(self, text: str):
        raise NotImplementedError

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        return found


class CableField(LookupField):
    """A cable chosen by identifier (slug) or archive record number."""

    widget = CableInput
    default_error_messages = {"unknown": "There is no cable “%(value)s” in the reading room."}

    def find(self, text: str) -> Cable | None:
        return find_cable(text)


class ParticipantField(LookupField):
    """A person chosen by identifier (slug), name or alias."""

    widget = ParticipantInput
    default_error_messages = {
        "unknown": "Nobody in the reading room has the name or identifier “%(value)s”.",
    }

    def find(self, text: str) -> Participant | None:
        return find_participant(text)


def find_cable(text: str) -> Cable | None:
    """The cable whose identifier, else whose record number, is ``text``."""
    return (
        Cable.objects.published()
        .filter(Q(slug=text) | Q(record_id=text))
        .annotate(rank=Case(When(slug=text, then=0), default=1))
        .order_by("rank", "date", "pk")
        .first()
    )


def cable_suggestions(text: str, limit: int = SUGGESTIONS) -> list[Cable]:
    """Cables whose title contains ``text`` or whose record number is ``text``, earliest first."""
    text = text.strip()
    if not text:
        return []
    return list(
        Cable.objects.published()
        .filter(Q(title__icontains=text) | Q(record_id=text))
        .only("slug", "title", "date")
        .order_by("date", "title", "pk")[:limit]
    )


def find_participant(text: str) -> Participant | None:
    """The participant whose identifier, name or alias is ``text`` (case aside), in that order."""
    return (
        Participant.objects.filter(
            Q(slug=text) | Q(name__iexact=text) | Q(aliases__name__iexact=text)
        )
        .annotate(rank=Case(When(slug=text, then=0), When(name__iexact=text, then=1), default=2))
        .order_by("rank", "name", "pk")
        .first()
    )


def participant_suggestions(text: str, limit: int = SUGGESTIONS) -> list[Participant]:
    """People whose name or an alias contains ``text``, names that start with it first."""
    text = text.strip()
    if not text:
        return []
    return list(
        Participant.objects.filter(Q(name__icontains=text) | Q(aliases__name__icontains=text))
        .annotate(starts=Case(When(name__istartswith=text, then=0), default=1))
        .distinct()
        .order_by("starts", "name", "pk")[:limit]
    )


# The catalogue's filters (the catalogue page and its CSV export) ----------


class CatalogueFilter(forms.Form):
    """The catalogue's GET filters; choices come from the view (no queries here)."""

    q = forms.CharField(required=False, max_length=200, label="Words")
    year = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=9999,
        error_messages={
            "invalid": "“Year” must be a year such as 1951.",
            "min_value": "“Year” must be a year such as 1951.",
            "max_value": "“Year” must be a year such as 1951.",
        },
    )
    participant = ParticipantField(label="Person")
    collection = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "There is no collection called “%(value)s”."},
    )

    def __init__(self, data, *, collections):
        super().__init__(data)
        self.fields["collection"].choices = [("", "All collections")] + [
            (c.slug, c.title) for c in collections
        ]


def filter_catalogue(cables, *, q="", year=None, participant=None, collection=""):
    """Apply the catalogue filters to a Cable queryset (adds no query of its own).

    ``participant`` (a ``Participant`` or a slug) matches the sender, the recipient, a telegram's
    author or recipients (to and copy), or a mention an editor has not rejected.
    """
    if year:
        cables = cables.filter(date__year=year)
    if collection:
        cables = cables.filter(collections__slug=collection)
    if isinstance(participant, Participant):
        participant = participant.slug
    if participant:
        cables = cables.taking_part(slug=participant)
    if q:
        cables = cables.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(record_id__icontains=q)
        )
    if collection:
        cables = cables.distinct()
    return cables
