"""Forms for the intervention catalogue and recipient search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.care.models import Category, Intervention
from tillit.web.forms.base import DateInput, ServiceForm


class InterventionForm(ServiceForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Intervention.Kind.choices,
                             help_text=_("Safety alarms, meal deliveries and HSL are left out of staff continuity."))
    standard_minutes = forms.DecimalField(label=_("Standard minutes (schablon)"), min_value=0, max_digits=7, decimal_places=2)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())
