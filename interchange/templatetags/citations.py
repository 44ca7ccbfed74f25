"""Citations on the reading view: Highwire ``citation_*`` meta tags, a COinS span,
and the "Cite" box with Chicago-style citations of the cable and of each telegram.

No queries: everything comes from the cable as ``cables_for_reading()``
loaded it (sender, recipient, passages with telegrams, authors, recipients).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join

from interchange.exporters import citations as exports

register = template.Library()


def _url(context, cable) -> str:
    """The cable's absolute address: at the ``site_origin`` the template was given
    (the reading view's kept layers are rendered without a request), else at
    the request's."""
    path = cable.get_absolute_url()
    origin = context.get("site_origin")
    if origin:
        return origin + path
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def citation_meta(context, cable):
    """``<meta name="citation_…">`` tags for reference managers and Google Scholar."""
    return format_html_join(
        "\n  ", '<meta name="{}" content="{}">', exports.highwire(cable, _url(context, cable))
    )


@register.inclusion_tag("interchange/_cite.html", takes_context=True)
def cite_box(context, cable):
    """The Cite box: the cable's and each telegram's citation, copy buttons, exports."""
    url = _url(context, cable)
    telegrams = [
        {"telegram": t, "anchor": t.passage.anchor, "text": exports.chicago_telegram(t, cable)}
        for t in exports.telegrams_of(cable)
    ]
    return {
        "cable": cable,
        "chicago": exports.chicago(cable),
        "telegrams": telegrams,
        "coins": exports.coins(cable, url),
    }
