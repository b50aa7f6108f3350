"""Telling readers what a save of a live event changed: an update or a correction, with a note.

Asked by the event's form and by the approval of a change sent for review, the two ways a
Publisher's save reaches a live event.
"""

from django import forms

from timeline.models import EventUpdate


class TellReadersForm(forms.Form):
    public_change = forms.ChoiceField(
        label="Tell readers",
        choices=[
            ("", "No: a silent fix (a typo, a link, wording that changes no fact)"),
            *EventUpdate.Kind.choices,
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text="An update adds news since; a correction says we had something wrong. Either "
        "is shown, dated, at the foot of the event's page and in the feeds, for good.",
    )
    public_note = forms.CharField(
        label="Note for readers",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="E.g. “An earlier version gave the toll as 50; IRINN said 56.”",
    )

    def clean(self):
        cleaned = super().clean()
        check(self, cleaned)
        return cleaned


def check(form: forms.Form, cleaned: dict) -> None:
    """Both or neither: a kind says what the note is, a note says what changed."""
    kind, note = cleaned.get("public_change"), (cleaned.get("public_note") or "").strip()
    cleaned["public_note"] = note
    if kind and not note:
        form.add_error("public_note", "Say what changed: readers see this note.")
    elif note and not kind:
        form.add_error("public_change", "Say whether the note is an update or a correction.")


def record(event, cleaned: dict, user) -> EventUpdate | None:
    if not cleaned.get("public_change"):
        return None
    return EventUpdate.objects.create(
        event=event, kind=cleaned["public_change"], note=cleaned["public_note"], made_by=user
    )
