"""Any two texts side by side: ``/compare/?a=…&b=…``.

A text is named by a stable, citable key:

- ``cable:<slug>`` — a whole cable;
- ``telegram:<cable slug>:<number>`` — one forwarded telegram of a cable;
- ``agenda:<slug>`` — a side's agenda, item by item;
- ``passage:<cable slug>:<anchor>`` — one passage of a cable (a link's end that
  is no telegram, beside another part of the same cable).

Each pane of a cable or telegram is a full reading pane (highlights, margin
notes, annotating and linking); links between the two panes are drawn as
connectors in the gutter by ``static/js/compare.js``, which also locks and
aligns the scrolling. Swapping the panes, or choosing another text for one of
them, happens in place with htmx and updates the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from annotations import margin
from cables.models import Cable, Participant
from reading import layers
from readingroom.caching import conditional_page, text_scopes
from telegrams.models import Agenda, AgendaItem, Telegram, TelegramRecipient


@dataclass
class Pane:
    key: str  # the text's key, as in the URL
    side: str  # "a" or "b"
    kind: str = ""  # cable, telegram, agenda
    title: str = ""
    url: str = ""  # the text's own page
    cable: Cable | None = None
    context: dict = field(default_factory=dict)  # reading context (cable and telegram panes)
    agenda: Agenda | None = None
    error: str = ""

    @property
    def passage_ids(self) -> set[int]:
        return {row.passage.pk for row in self.context.get("rows", [])}


def resolve(key: str, side: str, request) -> Pane:
    """The pane for ``key`` (a few queries; the same number whatever the text's size)."""
    pane = Pane(key=key, side=side)
    kind, _, rest = key.partition(":")
    if kind in ("cable", "telegram", "passage"):
        slug, _, number = rest.partition(":")
        kept = layers.find(request, slug)
        if kept is None:
            pane.error = f"There is no cable “{slug}” in the reading room."
            return pane
        cable = kept.cable
        filters = margin.Filters.from_params(QueryDict())
        context = margin.build(
            cable,
            request.user,
            filters,
            layers=list(kept.passages),
            incoming=kept.incoming,
            annotated=kept.annotated,
        )
        pane.cable, pane.context, pane.kind = cable, context, kind
        pane.title, pane.url = cable.title, cable.get_absolute_url()
        if kind == "telegram":
            rows = [r for r in context["rows"] if r.telegram and str(r.telegram.number) == number]
            if not rows:
                pane.error = f"{cable.title} has no telegram {number or '(no number given)'}."
                pane.context = {}  # no passages: it is not the same text as the other pane
                return pane
            context["rows"] = rows
            pane.title = f"Telegram {number} — {cable.title}"
            pane.url = f"{cable.get_absolute_url()}#{rows[0].passage.anchor}"
        if kind == "passage":
            rows = [r for r in context["rows"] if r.passage.anchor == number]
            if not rows:
                pane.error = f"{cable.title} has no passage “{number}”."
                pane.context = {}
                return pane
            context["rows"] = rows
            passage = rows[0].passage
            pane.title = f"{passage.label or passage.get_kind_display()} — {cable.title}"
            pane.url = f"{cable.get_absolute_url()}#{passage.anchor}"
        return pane
    if kind == "agenda":
        agenda = (
            Agenda.objects.published()
            .select_related("side", "telegram__passage__cable")
            .filter(slug=rest)
            .first()
        )
        if agenda is None:
            pane.error = f"There is no agenda “{rest}”."
            return pane
        agenda.item_list = list(
            AgendaItem.objects.filter(agenda=agenda)
            .select_related("passage__cable")
            .order_by("number")
        )
        pane.kind, pane.agenda, pane.title = "agenda", agenda, agenda.title
        pane.url = reverse("telegrams:agenda_compare") + f"?left={agenda.slug}"
        return pane
    if key.startswith(KINDS) or ":" in key:
        pane.error = f"“{key}” does not name a text: a key is cable:…, telegram:… or agenda:…."
    elif key:
        pane.error = (
            f"No text matches “{key}”. Try words of a title, a number "
            "(21680, Telegram 2) or a person’s name."
        )
    return pane


def _day(date) -> str:
    return f"{date.day} {date:%B %Y}" if date else "undated"


# Words that name the kind of text, not a text: "Telegram 2", "cable No. 21680".
NOISE = {"telegram", "cable", "agenda", "from", "to", "in", "the", "of", "no", "nº", "cde"}
TELEGRAM_NUMBER = re.compile(r"\btelegram\s+(?:n[oº]\.?\s*)?(\d+)\b", re.I)


def _people(word: str):
    """Ids of the people whose name or an alias contains ``word`` (a subquery)."""
    return Participant.objects.filter(
        Q(name__icontains=word) | Q(aliases__name__icontains=word)
    ).values("pk")


def _cable_label(cable: Cable) -> str:
    return f"{cable.title} ({_day(cable.date)})"


def _telegram_label(t: Telegram) -> str:
    who = f" from {t.author.name}" if t.author_id else ""
    sent = f", {t.sent_as_written}" if t.sent_as_written else ""
    subject = f": {t.subject}" if t.subject else ""
    return f"Telegram {t.number}{subject}{who}{sent} — in {t.passage.cable.title}"


def choices(query: str = "", limit: int = 12) -> list[tuple[str, str]]:
    """(key, human label) for the texts a pane can show that match ``query``: by
    title, by number (a cable's number or record id, "Telegram 2") and by person
    (sender, recipient, a telegram's author or recipients, by name or alias).
    Every word must match; at most ``limit`` of each kind (3 queries, none
    without words)."""
    number = TELEGRAM_NUMBER.search(query)
    rest = TELEGRAM_NUMBER.sub(" ", query)
    words = [w for w in re.findall(r"[\w'’.-]+", rest.casefold()) if w.strip(".") not in NOISE]
    words = [w.strip(".") for w in words if w.strip(".")]
    if not words and number is None:
        return []
    cables = Cable.objects.published().order_by(F("date").asc(nulls_last=True), "title")
    telegrams = (
        Telegram.objects.filter(passage__cable__status=Cable.Status.PUBLISHED)
        .select_related("passage__cable", "author")
        .order_by("passage__cable__date", "passage__cable__title", "number")
    )
    agendas = Agenda.objects.published().select_related("side").order_by("date", "title")
    if number is not None:
        telegrams = telegrams.filter(number=int(number.group(1)))
        cables = cables.none()
        agendas = agendas.none()
    for word in words:
        people = _people(word)
        numbered = Q(record_id=word) | Q(cable_number=word)
        cables = cables.filter(
            Q(title__icontains=word) | numbered | Q(sender__in=people) | Q(recipient__in=people)
        )
        addressed = TelegramRecipient.objects.filter(participant__in=people)
        telegrams = telegrams.filter(
            Q(passage__cable__title__icontains=word)
            | Q(subject__icontains=word)
            | Q(sent_as_written__icontains=word)
            | Q(passage__cable__record_id=word)
            | Q(passage__cable__cable_number=word)
            | Q(author__in=people)
            | Q(pk__in=addressed.values("telegram_id"))
        )
        agendas = agendas.filter(Q(title__icontains=word) | Q(side__name__icontains=word))
    result = [(f"cable:{c.slug}", _cable_label(c)) for c in cables.distinct()[:limit]]
    result += [
        (f"telegram:{t.passage.cable.slug}:{t.number}", _telegram_label(t))
        for t in telegrams.distinct()[:limit]
    ]
    result += [(f"agenda:{a.slug}", f"Agenda — {a.title}") for a in agendas[:limit]]
    # The texts whose label holds the words as typed come first, then those of the
    # kind the words name ("agenda", "cable"); otherwise cables, telegrams, agendas.
    typed = " ".join(query.casefold().split())
    named = {kind for kind in ("cable", "telegram", "agenda") if kind in typed.split()}

    def rank(choice):
        key, label = choice
        return (typed not in label.casefold(), key.partition(":")[0] not in named)

    return sorted(result, key=rank)


KINDS = ("cable:", "telegram:", "agenda:", "passage:")


def _key(value: str) -> str:
    """A text's key. Words typed into a pane's picker (a label it suggested, a title,
    "Telegram 2", a person's name) name the first text they match; words that
    match nothing are kept as they are, and the pane says so."""
    value = value.strip()[:300]
    if not value or value.startswith(KINDS):
        return value
    exact = _labelled(value)
    if exact:
        return exact
    found = choices(value, limit=1)
    return found[0][0] if found else value


def _labelled(value: str) -> str:
    """The key of the text whose label or pane title ``value`` is ("Telegram 2: … — in
    <cable title>", "Telegram 2 — <cable title>", "<cable title> (11 July 1951)",
    "Agenda — <title>"), or "" (one query)."""
    published = Cable.objects.published()
    telegram = re.fullmatch(r"Telegram (\d+)\b.*? — (?:in )?(.+)", value, re.S)
    if telegram:
        number, title = telegram.groups()
        slug = published.filter(title=title, passages__telegram__number=number).values_list(
            "slug", flat=True
        )
        return next((f"telegram:{s}:{number}" for s in slug[:1]), "")
    agenda = re.fullmatch(r"Agenda — (.+)", value, re.S)
    if agenda:
        slug = (
            Agenda.objects.published().filter(title=agenda.group(1)).values_list("slug", flat=True)
        )
        return next((f"agenda:{s}" for s in slug[:1]), "")
    cable = re.fullmatch(r"(.+) \([^()]*\)", value, re.S)
    titles = [value, cable.group(1)] if cable else [value]
    slug = published.filter(title__in=titles).values_list("slug", flat=True)
    return next((f"cable:{s}" for s in slug[:1]), "")


def _url(a: str, b: str) -> str:
    q = QueryDict(mutable=True)
    if a:
        q["a"] = a
    if b:
        q["b"] = b
    return f"{reverse('reading:compare')}?{q.urlencode(safe=':')}"


def _overlap_message(left: Pane, right: Pane) -> str:
    """What to say when the right pane would show passages the left one shows."""
    if left.key == right.key:
        return f"Both panes would show {left.title}. Choose another text for the right pane."
    if len(left.passage_ids) > len(right.passage_ids):
        return (
            f"{right.title} is part of {left.title}, on the left. "
            "Choose another text for the right pane."
        )
    return (
        f"{left.title}, on the left, is part of {right.title}. "
        "Choose another text for the right pane."
    )


@conditional_page(
    store=True,
    scopes=lambda request: text_scopes(request.GET.get("a", ""), request.GET.get("b", "")),
)
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two texts side by side (constant queries per pane; see reading/tests/test_compare.py).

    Each pane's picker takes a key or words (a suggested label, a title, "Telegram
    2", a person's name); words are resolved to the text's key, and the address
    then names the keys alone (a redirect, or htmx's pushed URL)."""
    typed = {side: request.GET.get(side, "").strip() for side in ("a", "b")}
    a_key, b_key = _key(typed["a"]), _key(typed["b"])
    target = request.htmx.target if getattr(request, "htmx", None) else None
    resolved = all(k.startswith(KINDS) or not k for k in (a_key, b_key))
    if target is None and resolved and (a_key, b_key) != (typed["a"], typed["b"]):
        return redirect(_url(a_key, b_key))
    panes = [resolve(a_key, "a", request), resolve(b_key, "b", request)]
    message = ""
    if panes[0].passage_ids & panes[1].passage_ids:
        message = _overlap_message(panes[0], panes[1])
        panes[1] = Pane(key=b_key, side="b", error=message)
    context = {
        "panes": panes,
        "swap_url": _url(b_key, a_key),
        "a_key": a_key,
        "b_key": b_key,
        "message": message,
    }
    if target in ("pane-a", "pane-b"):
        context["pane"] = panes[0] if target == "pane-a" else panes[1]
        response = render(request, "reading/compare.html#pane", context)
        return push_url(response, _url(a_key, b_key))
    status = 404 if any(p.error and p.key for p in panes) and not message else 200
    return render(request, "reading/compare.html", context, status=status)


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """``<option>``s of human labels for a pane's picker, from what was typed in it
    (``?side=a`` names the box; 3 queries, none for fewer than 2 characters)."""
    side = request.GET.get("side", "b")
    typed = request.GET.get(side if side in ("a", "b") else "b", "")[:200]
    found = choices(typed) if len(typed.strip()) >= 2 else []
    response = render(request, "reading/_text_options.html", {"found": found})
    patch_cache_control(response, max_age=300)
    return response
