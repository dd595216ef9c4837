"""Forms for administering users."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Role
from tillit.accounts.selectors import organisation_list
from tillit.web.forms.base import ServiceForm


class MembershipForm(ServiceForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=organisation_list())
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices,
        help_text=_("A provider's users have the role provider user; every other role belongs to the municipality."),
    )


class UserForm(MembershipForm):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)

    field_order = ["email", "full_name", "organisation", "role"]
