"""Template helpers for annotation cards."""

from django import template

from readingroom.http import display_name

register = template.Library()


@register.filter
def editable_by(annotation, user) -> bool:
    """Whether ``user`` may edit or delete ``annotation`` (their own, not deleted)."""
    return annotation.can_edit(user)


@register.filter
def author_name(annotation) -> str:
    return display_name(annotation.author)
