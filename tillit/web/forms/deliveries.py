"""The upload form for delivery files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.web.forms.base import ServiceForm

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(ServiceForm):
    kind = forms.ChoiceField(label=_("What the file contains"))
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or Windows-1252; ; , or tab) or Excel .xlsx."))
    complete = forms.BooleanField(
        label=_("The file is complete for its providers and months"), required=False,
        help_text=_("Visits only: visits of the same providers and months that the file lacks are retired."),
    )
    accept_valid = forms.BooleanField(
        label=_("Load the valid rows even if some rows are rejected"), required=False,
        help_text=_("Otherwise a file with rejected rows waits for your decision."),
    )

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB; split it or load it with the tillit command."))
        return upload
