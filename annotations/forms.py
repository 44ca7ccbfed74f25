"""Forms for writing annotations; the rules themselves live in ``annotations.services``."""

from __future__ import annotations

from django import forms

from annotations.models import Annotation, ResearchGroup
from cables.models import Passage

MAX_TAGS = 20


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
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Annotation.MAX_BODY,
        error_messages={"required": "Write something in the annotation."},
        help_text="Markdown: *italic*, **bold**, [link](https://…), lists.",
    )
    kind = forms.ChoiceField(choices=Annotation.Kind.choices, initial=Annotation.Kind.COMMENT)
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
        self.fields["group"].queryset = ResearchGroup.objects.filter(members=user)
        self.fields["group"].empty_label = "Choose a group"

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
        passage = Passage.objects.select_related("cable").filter(pk=self.cleaned_data["passage"])
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


class ReplyForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Annotation.MAX_BODY,
        error_messages={"required": "Write something in the reply."},
    )


class ReplyEditForm(ReplyForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
