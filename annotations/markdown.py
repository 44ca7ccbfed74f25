"""Markdown for annotation bodies, rendered and then sanitised.

The Markdown is rendered with the ``markdown`` package and the HTML is
cleaned with ``nh3`` (ammonia): only a small set of text tags survives, no
script or style, no event-handler attributes, and links keep only http(s)
and mailto addresses (a ``javascript:`` link loses its href).
"""

import markdown as _markdown
import nh3

TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "del", "sup", "sub",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown ``text``."""
    if not text:
        return ""
    html = _markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
