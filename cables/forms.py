"""Form fields shared by the reading room's filter forms."""

from __future__ import annotations

from django import forms
from django.db.models import Case, Q, When
from django.urls import reverse_lazy

from cables.models import Participant

SUGGESTIONS = 12  # names offered while typing


class ParticipantInput(forms.TextInput):
    """A text box that offers matching names as you type (a ``<datalist>`` filled by htmx).

    The box stays the same size however many people the archive holds; without
    JavaScript a name, an alias or an identifier can still be typed in full.
    """

    template_name = "cables/_participant_input.html"

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "placeholder": "Anyone",
                "hx-get": reverse_lazy("cables:participant_suggestions"),
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


class ParticipantField(forms.CharField):
    """A person chosen by identifier (slug), name or alias; cleans to the ``Participant``.

    One query when a value is given, none when it is empty.
    """

    widget = ParticipantInput
    default_error_messages = {
        "unknown": "Nobody in the reading room has the name or identifier “%(value)s”.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        found = find_participant(text)
        if found is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        return found

    def prepare_value(self, value):
        return value.name if isinstance(value, Participant) else value


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


def suggestions(text: str, limit: int = SUGGESTIONS) -> list[Participant]:
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
