"""The form for a comparison group of one's own."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.web.forms.base import ServiceForm


class CustomGroupForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    members = forms.MultipleChoiceField(
        label=_("Municipalities"),
        help_text=_("Hold down Ctrl (Cmd on a Mac) to choose several. Our own municipality is left out of the "
                    "comparison even if it is chosen."),
        widget=forms.SelectMultiple(attrs={"size": 14}),
    )

    def __init__(self, *args: object, municipalities: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].choices = municipalities
