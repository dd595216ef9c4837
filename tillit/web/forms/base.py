"""Form conventions: services do the saving, forms only read and show errors."""

from __future__ import annotations

from django import forms

from tillit.common.errors import ValidationFailed


class ServiceForm(forms.Form):
    """A form whose input a service validates once more; its errors land on the fields."""

    template_name = "web/form_fields.html"
    template_name_div = "web/form_fields.html"

    def add_service_errors(self, error: ValidationFailed) -> None:
        placed = False
        for name, message in error.field_errors.items():
            self.add_error(name if name in self.fields else None, message)
            placed = True
        if not placed:
            self.add_error(None, error.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
