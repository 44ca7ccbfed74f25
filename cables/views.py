"""Pages for reading cables: home, catalogue, reading view, participants.

Every page is server-rendered and works without JavaScript; htmx only swaps
regions (``{% partialdef %}``) in place. Query counts are fixed per page and
pinned in ``tests/test_<page>.py``.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from cables import reading
from cables.models import Cable, Collection, Handling, Mention, Participant, Passage
from telegrams.models import Telegram, TelegramRecipient


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Home -----------------------------------------------------------------------


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Collections with cable counts, the latest cable, a search box (2 queries)."""
    collections = Collection.objects.annotate(cable_count=Count("cables"))
    featured = Cable.objects.for_catalogue().order_by("-date", "-pk").first()
    return render(request, "cables/home.html", {"collections": collections, "featured": featured})


# Catalogue ------------------------------------------------------------------


SHOWN_MENTION_STATUSES = [s for s in Mention.Status if s != Mention.Status.REJECTED]


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
    participant = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "Nobody in the reading room has the identifier “%(value)s”."
        },
    )
    collection = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "There is no collection called “%(value)s”."},
    )

    def __init__(self, data, *, participants, collections):
        super().__init__(data)
        self.fields["participant"].choices = [("", "Anyone")] + [
            (p.slug, p.name) for p in participants
        ]
        self.fields["collection"].choices = [("", "All collections")] + [
            (c.slug, c.title) for c in collections
        ]


def filter_catalogue(cables, *, q="", year=None, participant="", collection=""):
    """Apply the catalogue filters to a Cable queryset (adds no query of its own).

    ``participant`` (a slug) matches the sender, the recipient, a telegram's
    author or recipients (to and copy), or a mention an editor has not rejected.
    """
    if year:
        cables = cables.filter(date__year=year)
    if collection:
        cables = cables.filter(collections__slug=collection)
    if participant:
        cables = cables.filter(
            Q(sender__slug=participant)
            | Q(recipient__slug=participant)
            | Q(passages__telegram__author__slug=participant)
            | Q(passages__telegram__recipients__participant__slug=participant)
            | Q(
                passages__mentions__participant__slug=participant,
                passages__mentions__status__in=SHOWN_MENTION_STATUSES,
            )
        )
    if q:
        cables = cables.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(record_id__icontains=q)
        )
    if participant or collection:
        cables = cables.distinct()
    return cables


@require_GET
def catalogue(request: HtmxHttpRequest) -> HttpResponse:
    """The catalogue (5 queries; the htmx fragment 4).

    Queries: participants and collections for the filter form, the years that
    have cables, the cables, their collections.
    """
    participants = list(Participant.objects.only("slug", "name", "sort_name"))
    collections = list(Collection.objects.all())
    form = CatalogueFilter(request.GET, participants=participants, collections=collections)
    form.is_valid()
    # Invalid filters are reported on the page and left out; the valid ones still apply.
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    cables = filter_catalogue(
        Cable.objects.for_catalogue().prefetch_related("collections"), **filters
    )
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "cables": cables,
        "filtered": any(filters.values()),
        "participant_names": {p.slug: p.name for p in participants},
        "collection_titles": {c.slug: c.title for c in collections},
    }
    if request.htmx:
        response = render(request, "cables/catalogue.html#results", context, status=status)
    else:
        context["years"] = Cable.objects.dates("date", "year")
        response = render(request, "cables/catalogue.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Reading view ---------------------------------------------------------------


@require_GET
def cable_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reading view (13 queries, whatever the number of passages, telegrams and
    annotations; 15 for a signed-in reader, who adds the session and the user).

    See ``Cable.objects.for_reading()``, ``cables.reading.build`` and
    ``tests/test_cable.py`` for the list.
    """
    cable = get_object_or_404(Cable.objects.for_reading(), slug=slug)
    context = reading_context(request, cable)
    if request.htmx and request.htmx.target == "reading-text":
        return render(request, "cables/cable.html#reading-text", context)
    return render(request, "cables/cable.html", context)


def reading_context(request, cable: Cable) -> dict:
    """Everything ``cables/cable.html`` (and its passage-row partial) needs."""
    context = reading.build(cable, request.user, reading.Filters.from_request(request))
    rows = context["rows"]
    # Handling events are shown after the (last) handling-notes passage, or
    # after the text when no passage holds the handling notes.
    handling_after = None
    for row in rows:
        if row.passage.kind == Passage.Kind.HANDLING:
            handling_after = row.passage.pk
    context.update(
        cable=cable,
        handling=list(cable.handling.all()),
        handling_after=handling_after,
        telegram_count=sum(1 for row in rows if row.telegram is not None),
    )
    return context


# Participants ---------------------------------------------------------------


@require_GET
def participant_list(request: HtmxHttpRequest) -> HttpResponse:
    """Participants grouped by side, with roles and aliases (2 queries)."""
    groups = defaultdict(list)
    for participant in Participant.objects.for_index():
        groups[participant.side].append(participant)
    sides = sorted(
        groups.items(),
        key=lambda kv: (kv[0] is None, kv[0].position if kv[0] else 0, str(kv[0] or "")),
    )
    return render(request, "cables/participants.html", {"sides": sides})


@require_GET
def participant_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One participant and every appearance by role (8 queries).

    Queries: the participant with side, aliases, telegrams authored, cables
    sent, cables received, telegram receipts (to and copy), handling, mentions.
    """
    participant = get_object_or_404(Participant.objects.for_index(), slug=slug)
    aliases = list(participant.aliases.all())
    authored = list(
        Telegram.objects.filter(author=participant)
        .select_related("passage__cable")
        .order_by("passage__cable__date", "passage__cable__title", "number")
    )
    sent = list(Cable.objects.for_catalogue().filter(sender=participant))
    received = list(Cable.objects.for_catalogue().filter(recipient=participant))
    receipts = list(
        TelegramRecipient.objects.filter(participant=participant)
        .select_related("telegram__passage__cable")
        .order_by("telegram__passage__cable__date", "telegram__number")
    )
    handled = list(
        Handling.objects.filter(agent=participant)
        .select_related("cable")
        .order_by("cable__date", "position")
    )
    mentions = list(
        Mention.objects.shown()
        .filter(participant=participant)
        .select_related("passage__cable")
        .order_by("passage__cable__date", "passage__cable__title", "passage__position", "start")
    )
    addressed = [r for r in receipts if r.role == TelegramRecipient.Role.TO]
    copied = [r for r in receipts if r.role == TelegramRecipient.Role.COPY]
    return render(
        request,
        "cables/participant.html",
        {
            "participant": participant,
            "aliases": aliases,
            "authored": authored,
            "sent": sent,
            "received": received,
            "addressed": addressed,
            "copied": copied,
            "handled": handled,
            "mentions": mentions,
            "appearance_count": len(authored)
            + len(sent)
            + len(received)
            + len(receipts)
            + len(handled)
            + len(mentions),
        },
    )
