"""Forms for writing annotations; the rules themselves live in ``annotations.services``."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from annotations.models import Annotation, Link, ResearchGroup
from cables.models import Cable, Participant, Passage
from telegrams.models import AgendaItem, Telegram

MAX_TAGS = 20

# Passages a reader may annotate or link to: those of published records.
READABLE = Passage.objects.filter(cable__status=Cable.Status.PUBLISHED)


class TagsField(forms.CharField):
    """Comma-separated tag names, trimmed and de-duplicated (case-insensitive)."""

    def to_python(self, value):
        names, seen = [], set()
        for raw in (super().to_python(value) or "").split(","):
            name = " ".join(raw.split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def validate(self, value):
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        if any(len(name) > 60 for name in value):
            raise forms.ValidationError("A tag may be at most 60 characters long.")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


class NoteFields(forms.Form):
    """The fields a reader writes, for new annotations and edits alike."""

    body = forms.CharField(
        label="Annotation",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Annotation.MAX_BODY,
        error_messages={"required": "Write something in the annotation."},
        help_text="Markdown: *italic*, **bold**, [link](https://…), lists.",
    )
    kind = forms.ChoiceField(
        choices=[c for c in Annotation.Kind.choices if c[0] != Annotation.Kind.LINK],
        initial=Annotation.Kind.COMMENT,
    )
    tags = TagsField(required=False, max_length=1000, help_text="Separate tags with commas.")
    visibility = forms.ChoiceField(
        choices=Annotation.Visibility.choices,
        initial=Annotation.Visibility.PRIVATE,
        widget=forms.RadioSelect,
        label="Who can see it",
    )
    group = forms.ModelChoiceField(queryset=ResearchGroup.objects.none(), required=False)
    replacement = forms.CharField(
        required=False,
        max_length=2000,
        label="Corrected reading",
        help_text="For a correction: the words as they should read.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        groups = ResearchGroup.objects.filter(members=user)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = "Choose a group"
        if not groups.exists():  # one query; no "My group" for someone in no group
            self.fields["visibility"].choices = [
                c for c in Annotation.Visibility.choices if c[0] != Annotation.Visibility.GROUP
            ]

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Annotation.Visibility.GROUP and not data.get("group"):
            self.add_error("group", "Choose the group that may see this annotation.")
        if data.get("kind") != Annotation.Kind.CORRECTION:
            data["replacement"] = ""
        return data


class NewAnnotationForm(NoteFields):
    """A new annotation on a selection: the passage, the offsets and the quoted words."""

    passage = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    start = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    exact = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=20_000)

    field_order = ["passage", "start", "end", "exact"]

    def clean_passage(self):
        passage = READABLE.select_related("cable").filter(pk=self.cleaned_data["passage"])
        passage = passage.first()
        if passage is None:
            raise forms.ValidationError("This passage does not exist.")
        return passage

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            self.add_error(None, "Select some words of the text first.")
        return data


class EditAnnotationForm(NoteFields):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DocumentNoteForm(NoteFields):
    """A note on the whole document: no words quoted, so neither a correction nor a link."""

    replacement = None
    body = forms.CharField(
        label="Note on this document",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Annotation.MAX_BODY,
        error_messages={"required": "Write something in the note on this document."},
        help_text="Markdown: *italic*, **bold**, [link](https://…), lists.",
    )
    kind = forms.ChoiceField(
        choices=[
            c
            for c in Annotation.Kind.choices
            if c[0] not in (Annotation.Kind.LINK, Annotation.Kind.CORRECTION)
        ],
        initial=Annotation.Kind.COMMENT,
        required=False,  # a comment unless said otherwise
    )

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Annotation.Kind.COMMENT

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something in the note on this document.")
        return body


class EditDocumentNoteForm(DocumentNoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Markdown"}),
        max_length=Annotation.MAX_BODY,
        error_messages={"required": "Write something in the reply."},
    )


class ReplyEditForm(ReplyForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LinkEditForm(NoteFields):
    """Editing a link's note, tags and visibility (its ends stay as they are)."""

    kind = None
    replacement = None
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Annotation.MAX_BODY,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NewLinkForm(NoteFields):
    """A new link: the selection it starts from, and one other end."""

    kind = None
    replacement = None
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Annotation.MAX_BODY,
        required=False,
        label="Note",
    )
    relation = forms.ChoiceField(choices=Link.Relation.choices, initial=Link.Relation.RELATED)
    passage = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    start = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    exact = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=20_000)
    target_passage = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    target_start = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    target_end = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    target_exact = forms.CharField(
        widget=forms.HiddenInput, strip=False, max_length=20_000, required=False
    )
    target_participant = forms.ModelChoiceField(
        queryset=Participant.objects.all(), required=False, label="or a person"
    )
    target_cable = forms.CharField(
        required=False,
        max_length=200,
        label="or a cable",
        help_text="Its record id (e.g. 117409) or the last part of its address.",
    )
    target_item = forms.CharField(
        required=False,
        max_length=200,
        label="or an agenda item",
        help_text="The agenda's address and the item number, e.g. un-draft-1951-07-10:9.",
    )
    target_telegram = forms.CharField(
        required=False,
        max_length=200,
        label="or a whole telegram",
        help_text="The cable's record id (or address) and the telegram number, e.g. 117409:3.",
    )

    field_order = ["relation", "body"]

    def _passage(self, name):
        pk = self.cleaned_data.get(name)
        if pk is None:
            return None
        passage = READABLE.select_related("cable").filter(pk=pk).first()
        if passage is None:
            raise forms.ValidationError("This passage does not exist.")
        return passage

    def clean_passage(self):
        return self._passage("passage")

    def clean_target_cable(self):
        key = self.cleaned_data.get("target_cable", "").strip()
        if not key:
            return None
        cable = Cable.objects.published().filter(Q(slug=key) | Q(record_id=key)).first()
        if cable is None:
            raise forms.ValidationError(f"No cable has the record id or address “{key}”.")
        return cable

    def clean_target_item(self):
        key = self.cleaned_data.get("target_item", "").strip()
        if not key:
            return None
        slug, _, number = key.rpartition(":")
        item = (
            AgendaItem.objects.filter(agenda__slug=slug, number=number)
            .filter(Q(passage__isnull=True) | Q(passage__cable__status=Cable.Status.PUBLISHED))
            .select_related("agenda__side", "passage__cable")
            .first()
            if number.isdigit()
            else None
        )
        if item is None:
            raise forms.ValidationError(
                f"No agenda item “{key}”: write the agenda, a colon, the number."
            )
        return item

    def clean_target_telegram(self):
        key = self.cleaned_data.get("target_telegram", "").strip()
        if not key:
            return None
        cable, _, number = key.rpartition(":")
        telegram = (
            Telegram.objects.filter(
                Q(passage__cable__slug=cable) | Q(passage__cable__record_id=cable)
            )
            .filter(number=number, passage__cable__status=Cable.Status.PUBLISHED)
            .select_related("passage__cable")
            .first()
            if number.isdigit()
            else None
        )
        if telegram is None:
            raise forms.ValidationError(
                f"No telegram “{key}”: write the cable, a colon, the number."
            )
        return telegram

    def clean_target_passage(self):
        return self._passage("target_passage")

    def clean(self):
        data = super().clean()
        telegram = data.pop("target_telegram", None)
        if telegram is not None:
            if data.get("target_passage") is not None:
                self.add_error(None, "Choose only one other end for the link.")
                return data
            data["target_passage"] = telegram.passage  # the whole telegram: no words chosen
            data["target_exact"] = ""
        ends = [data.get(f"target_{n}") for n in ("passage", "participant", "cable", "item")]
        given = sum(end is not None for end in ends)
        if given == 0:
            self.add_error(None, "Choose the other end: select words in a text, or pick one below.")
        elif given > 1:
            self.add_error(None, "Choose only one other end for the link.")
        return data
