"""Pages that put the apps together: the reading view, a person's page, the chronology.

The split view is ``reading.compare``. Every page is server-rendered and works
without JavaScript; htmx only swaps regions (``{% partialdef %}``) in place.
Query counts are fixed per page and pinned in ``reading/tests/``.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from django import forms
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from annotations import margin
from annotations.models import Annotation
from cables.forms import ParticipantField
from cables.models import Cable, Handling, Mention, Participant, Side
from reading import chronology as timeline
from reading import layers
from readingroom.caching import RECORDS, cable_scope, conditional_page, versioned
from readingroom.http import HtmxHttpRequest
from readingroom.spans import Span, excerpt_runs, runs_html
from search.highlight import find_in_rows
from telegrams.models import Reference, Telegram, TelegramRecipient

SHOWN_MENTION_STATUSES = [s for s in Mention.Status if s != Mention.Status.REJECTED]
PUBLISHED = Cable.Status.PUBLISHED  # readers see published records only


# Reading view ---------------------------------------------------------------


def cable_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reading view: the cable's kept fixed layers (``reading.layers``) with the
    reader's notes laid over them (``cable_detail`` is this page with its ETag
    and the page cache; ``manage.py keep_layers`` renders it alone).

    An anonymous reader at the cable's plain address gets the page kept in the
    database for the current versions, when there is one (1 query, after the
    versions); when there is none, it is rendered and kept.

    Once the layers are kept: the data version and the annotations (2 queries),
    plus their authors and tags when there are notes, the other ends of links among them,
    and the links arriving when the cable has any. Reading the layers first
    adds 12 (14 for a cable in a collection: its neighbours there). A signed-in
    reader adds the session and the user. Pinned in ``reading/tests/test_cable.py``.
    """
    keeps_page = layers.keeps_page(request)
    if keeps_page:
        page = layers.kept_page(request, slug)
        if page is not None:
            return HttpResponse(page)
    kept = layers.for_reading(request, slug)
    context = reading_context(request, kept)
    if request.htmx and request.htmx.target == "reading-text":
        return render(request, "reading/cable.html#reading-text", context)
    response = render(request, "reading/cable.html", context)
    if keeps_page:
        layers.keep_page(request, kept, response.content)
    return response


cable_detail = conditional_page(store=True, scopes=lambda request, slug: [cable_scope(slug)])(
    require_GET(cable_page)
)


def reading_context(request, kept: layers.CableLayers) -> dict:
    """Everything ``reading/cable.html`` (and its passage-row partial) needs."""
    filters = margin.Filters.from_request(request)
    context = margin.build(
        kept.cable,
        request.user,
        filters,
        layers=list(kept.passages),
        incoming=kept.incoming,
        annotated=kept.annotated,
    )
    token = layers.version_token(request, kept.cable.slug)
    margin.keep_cards(request, kept.cable, context["rows"], token, extra=context["document_notes"])
    # "Find in this cable" and search links (?hl=): the terms marked as search hits (no query).
    context["find"] = find_in_rows(context["rows"], request.GET.get("hl", ""))
    layers.keep_texts(kept.cable, context["rows"], token)
    context["endnotes_html"] = layers.kept_endnotes(kept.cable, context["endnotes"], token)
    context.update(cable=kept.cable, layers=kept, handling_html=kept.handling_html)
    if filters.reading == "corrected" and kept.handling:
        context["handling_html"] = layers.corrected_handling(kept, context["rows"])
    return context


@conditional_page(store=True, scopes=[RECORDS])
@require_GET
def participant_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One participant, every appearance by role, and the people they appear with
    (10 queries, whatever the number of texts, mentions and companions).

    Queries: the participant with side, aliases, telegrams authored, cables
    sent, cables received, telegram receipts (to and copy), handling, mentions
    (with passage, cable, and the passage's telegram and its author), and the
    co-occurrences (``appears_with``: own passages, then companions).
    """
    participant = get_object_or_404(Participant.objects.for_index(), slug=slug)
    aliases = list(participant.aliases.all())
    authored = list(
        Telegram.objects.filter(author=participant, passage__cable__status=PUBLISHED)
        .select_related("passage__cable")
        .order_by("passage__cable__date", "passage__cable__title", "number")
    )
    sent = list(Cable.objects.published().for_catalogue().filter(sender=participant))
    received = list(Cable.objects.published().for_catalogue().filter(recipient=participant))
    receipts = list(
        TelegramRecipient.objects.filter(
            participant=participant, telegram__passage__cable__status=PUBLISHED
        )
        .select_related("telegram__passage__cable")
        .order_by("telegram__passage__cable__date", "telegram__number")
    )
    handled = list(
        Handling.objects.filter(agent=participant, cable__status=PUBLISHED)
        .select_related("cable")
        .order_by("cable__date", "position")
    )
    mentions = list(
        Mention.objects.shown()
        .filter(participant=participant, passage__cable__status=PUBLISHED)
        .select_related("passage__cable", "passage__telegram__author")
        .order_by(
            "passage__cable__date",
            "passage__cable__title",
            "passage__cable_id",
            "passage__position",
            "start",
        )
    )
    addressed = [r for r in receipts if r.role == TelegramRecipient.Role.TO]
    copied = [r for r in receipts if r.role == TelegramRecipient.Role.COPY]
    return render(
        request,
        "reading/participant.html",
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
            "mention_groups": group_mentions(mentions),
            "companions": appears_with(participant),
            "appearance_count": len(authored)
            + len(sent)
            + len(received)
            + len(receipts)
            + len(handled)
            + len(mentions),
        },
    )


def group_mentions(mentions: list[Mention]) -> list[dict]:
    """Mentions grouped by cable, then by passage, in the order given (no queries).

    Each group is ``{"cable", "passages": [{"passage", "telegram", "mentions"}]}``;
    ``telegram`` is ``None`` for a passage that is not a forwarded telegram.
    Expects the mentions sorted by cable, then passage.
    """
    groups = []
    for _, in_cable in groupby(mentions, key=lambda m: m.passage.cable_id):
        in_cable = list(in_cable)
        passages = []
        for _, in_passage in groupby(in_cable, key=lambda m: m.passage_id):
            in_passage = list(in_passage)
            passage = in_passage[0].passage
            passages.append(
                {
                    "passage": passage,
                    # select_related caches a missing reverse one-to-one as absent.
                    "telegram": getattr(passage, "telegram", None),
                    "mentions": in_passage,
                }
            )
        groups.append({"cable": in_cable[0].passage.cable, "passages": passages})
    return groups


def appears_with(participant: Participant, limit: int = 10) -> list[dict]:
    """The people ``participant`` appears with most often (one query).

    Two people *appear together* in a passage when each of them is, in that
    passage, either mentioned (a mention an editor has not rejected) or a party
    to it as a forwarded telegram: its author, an addressee or a copy
    recipient. The count for a companion is the number of distinct passages
    in which both appear, however many times each is named there. Cables'
    senders, recipients and handlers are left out: they stand outside the
    texts. Returns up to ``limit`` dicts (``slug``, ``name``, ``count``), most
    passages first, then by sort name.

    Two queries: the participant's own passages (a UNION of three indexed
    lookups; one OR across three joins would read every passage), then one
    UNION query listing each (companion, passage) pair once; the counting is
    done here.
    """
    published = {"passage__cable__status": PUBLISHED}
    own = list(
        Mention.objects.filter(
            participant=participant, status__in=SHOWN_MENTION_STATUSES, **published
        )
        .order_by()
        .values_list("passage_id", flat=True)
        .union(
            Telegram.objects.filter(author=participant, **published)
            .order_by()
            .values_list("passage_id"),
            TelegramRecipient.objects.filter(
                participant=participant, telegram__passage__cable__status=PUBLISHED
            )
            .order_by()
            .values_list("telegram_id"),
        )
    )
    if not own:
        return []
    mentioned = (
        Mention.objects.filter(passage__in=own, status__in=SHOWN_MENTION_STATUSES)
        .exclude(participant=participant)
        .values_list(
            "participant__slug", "participant__name", "participant__sort_name", "passage_id"
        )
    )
    authors = (
        Telegram.objects.filter(passage__in=own, author__isnull=False)
        .exclude(author=participant)
        .values_list("author__slug", "author__name", "author__sort_name", "passage_id")
    )
    recipients = (
        TelegramRecipient.objects.filter(telegram__in=own)
        .exclude(participant=participant)
        .values_list(
            "participant__slug", "participant__name", "participant__sort_name", "telegram_id"
        )
    )
    pairs = mentioned.order_by().union(authors.order_by(), recipients.order_by())
    counts = Counter((slug, name, sort_name) for slug, name, sort_name, _ in pairs)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][2].casefold(), kv[0][0]))
    return [
        {"slug": slug, "name": name, "count": count} for (slug, name, _), count in ranked[:limit]
    ]


# Chronology -----------------------------------------------------------------


class ChronologyFilter(forms.Form):
    """The chronology's GET filters; choices come from the view (no queries here)."""

    participant = ParticipantField(label="Person")
    side = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "There is no side called “%(value)s”."},
    )
    # "?thread=<slug>": one record's correspondence (issue 16), from its thread strip.
    thread = forms.SlugField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "“%(value)s” is not the address of a record."},
    )

    def clean_thread(self):
        slug = self.cleaned_data["thread"]
        if not slug:
            return None
        cable = Cable.objects.published().filter(slug=slug).only("pk", "slug", "title").first()
        if cable is None:
            raise forms.ValidationError(f"No record has the address “{slug}”.")
        return cable

    reading = forms.ChoiceField(
        required=False,
        label="Reading",
        choices=[("", "As published"), ("corrected", "Corrected")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "A reading is “published” or “corrected”."},
    )

    def __init__(self, data, *, sides):
        super().__init__(data)
        # "?from=1951-07-10": the page that holds that day (a keyword in Python, so set here).
        self.fields["from"] = forms.DateField(
            required=False,
            label="From",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": "“From” must be a date such as 1951-07-10."},
        )
        self.fields["side"].choices = [("", "Either side")] + [(s.slug, s.name) for s in sides]


def _chronology_sources(person, side, thread=None):
    """The dated telegrams, cables and handling events that may show ``person`` or someone
    of ``side`` (a superset: ``reading.chronology.select`` decides exactly; no query),
    of the records in ``thread``'s correspondence when it is given: the record, what
    its references resolve to and what cites it (``correspondence_of``)."""
    telegrams = Telegram.objects.filter(sent_on__isnull=False, passage__cable__status=PUBLISHED)
    cables = Cable.objects.published().filter(date__isnull=False)
    handling = Handling.objects.filter(on__isnull=False, cable__status=PUBLISHED)
    if thread is not None:
        ids = correspondence_of(thread)
        telegrams = telegrams.filter(passage__cable__in=ids)
        cables = cables.filter(pk__in=ids)
        handling = handling.filter(cable__in=ids)
    for key, value in (("", person), ("side", side)):
        if value is None:
            continue
        who = f"__{key}" if key else ""
        telegrams = telegrams.filter(
            Q(**{f"author{who}": value}) | Q(**{f"recipients__participant{who}": value})
        )
        cables = cables.filter(
            Q(**{f"sender{who}": value})
            | Q(**{f"recipient{who}": value})
            | Q(**{f"handling__agent{who}": value})
        )
        handling = handling.filter(**{f"agent{who}": value})
    return telegrams, cables, handling


def _chronology_days(telegrams, cables, handling, key: str) -> list[tuple]:
    """(day, number of entries) for every day with entries: four grouped counts, kept in
    the cache per data version and filters (so after the first request, none)."""

    def count():
        counts: Counter = Counter()
        for queryset, field in (
            (telegrams, "sent_on"),
            (cables.filter(received_on__isnull=False), "received_on"),
            (cables.filter(received_on__isnull=True), "date"),
            (handling, "on"),
        ):
            for day, n in (
                queryset.order_by().values_list(field).annotate(n=Count("pk", distinct=True))
            ):
                if day is not None:
                    counts[day] += n
        return sorted(counts.items())

    return versioned(f"chronology-days:{key}", count, scopes=[RECORDS])


def correct_entries(entries, user) -> None:
    """The corrected reading of the entries' wording as written: a handling note or a
    time as written is copied from a passage of its cable, so the accepted
    corrections the reader may see there apply to it, marked (one query)."""
    cables = {e.cable.pk for e in entries if e.as_written and e.cable is not None}
    if not cables:
        return
    fixes: dict[int, list] = {}
    passages = {}
    for fix in (
        Annotation.objects.visible_to(user)
        .filter(
            passage__cable__in=cables,
            kind=Annotation.Kind.CORRECTION,
            correction_status=Annotation.Correction.ACCEPTED,
            parent__isnull=True,
            start__isnull=False,
        )
        .exclude(anchor_status=Annotation.Anchor.ORPHANED)
        .select_related("passage")
    ):
        passages[fix.passage_id] = fix.passage
        fixes.setdefault(fix.passage_id, []).append(Span(fix.start, fix.end, "fix", fix))
    for entry in entries:
        if not entry.as_written or entry.cable is None:
            continue
        for pk, passage in passages.items():
            if passage.cable_id != entry.cable.pk or entry.as_written not in passage.text:
                continue
            runs = excerpt_runs(passage.text, entry.as_written, fixes[pk])
            if any(published is not None for _, published in runs):
                entry.as_written_html = runs_html(runs)
                break


def correspondence_of(cable: Cable):
    """The ids of ``cable`` and of the published records its shown references resolve
    to or that cite it: one hop of its correspondence (a subquery; no query)."""
    shown = Reference.objects.shown().order_by()
    return (
        Cable.objects.published()
        .filter(
            Q(pk=cable.pk)
            | Q(pk__in=shown.filter(passage__cable=cable).values("target_cable_id"))
            | Q(pk__in=shown.filter(target_cable=cable).values("passage__cable_id"))
        )
        .values("pk")
    )


@require_GET
def chronology(request: HtmxHttpRequest) -> HttpResponse:
    """Every dated telegram, cable and handling event in time order, by day, a page of
    about 150 entries at a time (whole days; ``?from=`` names the page by a day).

    Queries (the htmx fragment too, whatever the size of the archive): sides for
    the filter form; the person asked for; the data version; the entries per
    day (four grouped counts, cached per data version and filters, so only
    after a change); then for the page's days: dated telegrams with passage,
    cable and author, their recipients, cables with sender and recipient, dated
    handling events with cable and agent. Ordering, folding and filtering are
    ``reading.chronology``'s (documented there); filters apply to the built
    entries, so an entry is kept exactly when the people it shows include the
    participant or someone of the side.
    """
    sides = list(Side.objects.all())
    form = ChronologyFilter(request.GET, sides=sides)
    form.is_valid()
    # Invalid filters are reported on the page and left out; the valid ones still apply.
    chosen = {name: value for name, value in form.cleaned_data.items() if value}
    side = next((s for s in sides if s.slug == chosen.get("side")), None)
    person = chosen.get("participant")
    thread = chosen.get("thread")
    telegrams, cables, handling = _chronology_sources(person, side, thread)
    key = f"{person.pk if person else ''}:{side.pk if side else ''}:{thread.pk if thread else ''}"
    pages = timeline.windows(_chronology_days(telegrams, cables, handling, key))
    index = timeline.window_for(pages, chosen.get("from"))
    window = pages[index] if pages else None
    entries = []
    if window is not None:
        span = (window.first, window.last)
        telegrams = (
            telegrams.filter(sent_on__range=span)
            .distinct()
            .select_related("passage__cable", "author")
            .prefetch_related(
                Prefetch(
                    "recipients", queryset=TelegramRecipient.objects.select_related("participant")
                )
            )
        )
        cables = (
            cables.filter(
                Q(received_on__range=span) | Q(received_on__isnull=True, date__range=span)
            )
            .distinct()
            .select_related("sender", "recipient")
        )
        handling = handling.filter(on__range=span).select_related("cable", "agent")
        entries = timeline.build(telegrams, cables, handling)
        entries = timeline.select(
            entries, participant=person.slug if person else "", side=side.pk if side else None
        )
        if chosen.get("reading") == "corrected":
            correct_entries(entries, request.user)

    def page_url(page):
        params = request.GET.copy()
        params["from"] = page.first.isoformat()
        return f"?{params.urlencode()}"

    context = {
        "form": form,
        "days": timeline.by_day(entries),
        "entry_count": len(entries),
        "filtered": bool({k: v for k, v in chosen.items() if k not in ("from", "reading")}),
        "chosen_participant": person,
        "chosen_side": side,
        "chosen_thread": thread,
        "window": window,
        "page_number": index + 1,
        "page_count": len(pages),
        "earlier": pages[index - 1] if index > 0 else None,
        "later": pages[index + 1] if index + 1 < len(pages) else None,
    }
    if context["earlier"]:
        context["earlier_url"] = page_url(context["earlier"])
    if context["later"]:
        context["later_url"] = page_url(context["later"])
    status = 400 if form.errors else 200
    template = "reading/chronology.html#results" if request.htmx else "reading/chronology.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
