"""The archive's own pages: home, catalogue, the people index, and the suggestions
the person and cable boxes offer while typing.

Every page is server-rendered and works without JavaScript; htmx only swaps
regions (``{% partialdef %}``) in place. Query counts are fixed per page and
pinned in ``cables/tests/``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from cables import forms as lookups
from cables.forms import CatalogueFilter, ParticipantField, filter_catalogue
from cables.models import Cable, Collection, Participant
from readingroom.caching import RECORDS, conditional_page, versioned
from readingroom.http import HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Collections with cable counts, the latest cable, a search box (2 queries)."""
    collections = Collection.objects.annotate(
        cable_count=Count("cables", filter=Q(cables__status=Cable.Status.PUBLISHED))
    )
    featured = (
        Cable.objects.published()
        .for_catalogue()
        .order_by(F("date").desc(nulls_last=True), "-pk")
        .first()
    )
    return render(request, "cables/home.html", {"collections": collections, "featured": featured})


# Catalogue ------------------------------------------------------------------


CATALOGUE_PAGE = 50


def _without_page(params) -> str:
    """The query string without ``page``, for the pager's links."""
    q = params.copy()
    q.pop("page", None)
    return q.urlencode()


@conditional_page(store=True, scopes=[RECORDS])
@require_GET
def catalogue(request: HtmxHttpRequest) -> HttpResponse:
    """The catalogue, 50 cables a page (5 queries; the htmx fragment 4; +1 with a person).

    Queries: collections for the filter form, the person asked for (by name,
    alias or identifier), the years that have cables, the count of matching
    cables, the page of cables, their collections. The page's size does not
    grow with the number of people: the person box suggests names as you type.
    """
    collections = list(Collection.objects.all())
    form = CatalogueFilter(request.GET, collections=collections)
    form.is_valid()
    # Invalid filters are reported on the page and left out; the valid ones still apply.
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    cables = filter_catalogue(
        Cable.objects.published().for_catalogue().prefetch_related("collections"), **filters
    )
    status = 400 if form.errors else 200
    paginator = Paginator(cables, CATALOGUE_PAGE)
    # The count is a scan at archive scale; it changes only with the data.
    shown = "&".join(f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(filters.items()))
    digest = hashlib.blake2b(shown.encode(), digest_size=12).hexdigest()
    paginator.count = versioned(
        f"catalogue-count:{digest}", cables.count, scopes=[RECORDS], request=request
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "cables": page.object_list,
        "total": page.paginator.count,
        "page_query": _without_page(request.GET),
        "filtered": any(filters.values()),
        "collection_titles": {c.slug: c.title for c in collections},
    }
    if request.htmx:
        response = render(request, "cables/catalogue.html#results", context, status=status)
    else:
        context["years"] = versioned(
            "catalogue-years",
            lambda: list(Cable.objects.published().dates("date", "year")),
            scopes=[RECORDS],
            request=request,
        )
        response = render(request, "cables/catalogue.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Participants ---------------------------------------------------------------


# Up to this many people the index is one page; past it, one letter at a time.
PEOPLE_ON_ONE_PAGE = 300
ALPHABET = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["#"]


def initial(sort_name: str) -> str:
    """The index letter of a sort name: its first letter without accents, else "#"."""
    first = unicodedata.normalize("NFKD", sort_name.strip()[:1])[:1].upper()[:1]
    return first if "A" <= first <= "Z" else "#"


def _people_by_letter() -> dict[str, list[int]]:
    index = defaultdict(list)
    for pk, sort_name in Participant.objects.values_list("pk", "sort_name"):
        index[initial(sort_name)].append(pk)
    return dict(index)


class PeopleIndexForm(forms.Form):
    name = ParticipantField(label="Find a person")
    letter = forms.CharField(required=False)

    def clean_letter(self) -> str:
        letter = self.cleaned_data["letter"].upper()
        if letter and letter not in ALPHABET:
            raise forms.ValidationError("Choose a letter from the index.")
        return letter


@conditional_page(store=True, scopes=[])  # people, sides, aliases: the archive alone
@require_GET
def participant_list(request: HtmxHttpRequest) -> HttpResponse:
    """Participants grouped by side, with roles and aliases; past ``PEOPLE_ON_ONE_PAGE``
    people, one letter of the sort names at a time (A–Z index, counts kept per
    data version). A name or alias in the box goes straight to that person.

    Queries: the data version, the letters (kept per version), the people
    shown with their sides, their aliases (3; +1 with a name in the box).
    """
    by_letter = versioned("people-by-letter", _people_by_letter, scopes=[], request=request)
    total = sum(map(len, by_letter.values()))
    form = PeopleIndexForm(request.GET)
    if form.is_valid() and form.cleaned_data["name"]:
        return redirect(form.cleaned_data["name"])
    problems = [error for errors in form.errors.values() for error in errors]
    people = Participant.objects.for_index()
    letter = None
    if total > PEOPLE_ON_ONE_PAGE:
        asked = form.cleaned_data.get("letter")  # a valid letter, even beside a bad name
        letter = asked or next((x for x in ALPHABET if x in by_letter), ALPHABET[0])
        ids = by_letter.get(letter)
        people = people.filter(pk__in=ids) if ids else Participant.objects.none()
    groups = defaultdict(list)
    for participant in people:
        groups[participant.side].append(participant)
    sides = sorted(
        groups.items(),
        key=lambda kv: (kv[0] is None, kv[0].position if kv[0] else 0, str(kv[0] or "")),
    )
    context = {
        "sides": sides,
        "form": form if form.is_bound and form.errors else PeopleIndexForm(),
        "problems": problems,
        "total": total,
        "letter": letter,
        "letters": [(x, len(by_letter.get(x, ()))) for x in ALPHABET] if letter else [],
    }
    return render(request, "cables/participants.html", context, status=400 if problems else 200)


def _suggestions(request, find, template: str) -> HttpResponse:
    """``<option>``s for a suggesting box's datalist (one query, at most
    ``cables.forms.SUGGESTIONS``), from what was typed in the box.

    htmx sends the box's own value under the box's own name, which differs from
    form to form (``participant`` in the catalogue, ``name`` on the people page):
    the first value sent is what was typed."""
    typed = next(iter(request.GET.values()), "")
    response = render(request, template, {"found": find(typed[:200])})
    patch_cache_control(response, max_age=300)
    return response


@require_GET
def participant_suggestions(request: HtmxHttpRequest) -> HttpResponse:
    """Names of people whose name or an alias contains what was typed."""
    return _suggestions(
        request, lookups.participant_suggestions, "cables/_participant_options.html"
    )


@require_GET
def cable_suggestions(request: HtmxHttpRequest) -> HttpResponse:
    """Cables whose title contains what was typed (the option's value is the identifier)."""
    return _suggestions(request, lookups.cable_suggestions, "cables/_cable_options.html")
