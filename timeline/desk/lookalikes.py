"""Records that look like ones already on file: a source at the same address, an actor with
nearly the same name. The desk warns before a second copy splits the sourcing in two."""

import difflib
import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from timeline.models import Actor, Source

# "Islamic Revolutionary Guard Corps" against "…Guards Corps" is 0.98; "Iran" against "Iraq" 0.75.
SIMILAR_NAME = 0.9


def comparable_url(url: str) -> str:
    """An address as a reader would type it: no scheme, no "www.", no trailing slash or case."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _words(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower()))


def source_with_url(url: str, exclude_pk: int | None) -> Source | None:
    if not url:
        return None
    wanted = comparable_url(url)
    host = wanted.split("/", 1)[0]
    candidates = Source.objects.exclude(pk=exclude_pk).filter(url__icontains=host)
    return next((s for s in candidates if comparable_url(s.url) == wanted), None)


def actor_like(name: str, exclude_pk: int | None) -> Actor | None:
    wanted = _words(name)
    if not wanted:
        return None
    best, score = None, SIMILAR_NAME
    for actor in Actor.objects.exclude(pk=exclude_pk).only("pk", "name", "slug"):
        ratio = difflib.SequenceMatcher(None, wanted, _words(actor.name)).ratio()
        if ratio >= score:
            best, score = actor, ratio
    return best


class LookalikeCheckForm(forms.ModelForm):
    """Refuses the first save of a likely copy, with a link to the record on file; ticking
    "not a copy" saves it."""

    not_a_copy = forms.BooleanField(
        required=False,
        label="Not a copy",
        help_text="Tick if this really is a different record from the one the warning names.",
    )

    # Set by checked_form: the field a copy would repeat, and how to find the record on file.
    checked_field = ""
    on_file = staticmethod(lambda value, exclude_pk: None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("not_a_copy"):
            return cleaned
        record = self.on_file(cleaned.get(self.checked_field) or "", self.instance.pk)
        if record is not None:
            opts = record._meta
            link = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
            raise ValidationError(
                {
                    self.checked_field: format_html(
                        'Already on file as <a href="{}">{}</a>. Use that one, or tick '
                        "“Not a copy” below to save this as a separate record.",
                        link,
                        record,
                    )
                }
            )
        return cleaned


def checked_form(model, field_name: str, on_file) -> type[LookalikeCheckForm]:
    """The admin form for `model`, refusing a likely copy by `field_name`."""
    form = forms.modelform_factory(model, form=LookalikeCheckForm, fields="__all__")
    form.checked_field, form.on_file = field_name, staticmethod(on_file)
    return form


SourceForm = checked_form(Source, "url", source_with_url)
ActorForm = checked_form(Actor, "name", actor_like)
