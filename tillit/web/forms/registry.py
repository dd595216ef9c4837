"""Forms for providers, units, contracts, areas and zones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.registry.models import Area, Contract, Provider, Regi, ServiceType, Zone
from tillit.web.forms.base import DateInput, ServiceForm


class ProviderForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisation number"), max_length=13, help_text=_("Ten digits, e.g. 556677-8899.")
    )
    regi = forms.ChoiceField(label=_("Operator form"), choices=Regi.choices)
    service_types = forms.MultipleChoiceField(
        label=_("Service types"), choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple
    )
    ivo_permit = forms.CharField(label=_("IVO permit"), required=False, max_length=100,
                                 help_text=_("The reference of the permit from the Health and Social Care Inspectorate."))
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=40)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class UnitForm(ServiceForm):
    code = forms.CharField(label=_("Unit code"), max_length=50,
                           help_text=_("The code the time-registration system uses for the unit."))
    name = forms.CharField(label=_("Name"), max_length=200)
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.all(), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ContractForm(ServiceForm):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.all())
    reference = forms.CharField(label=_("Reference"), max_length=100,
                                help_text=_("The contract's reference or diarienummer."))
    kind = forms.ChoiceField(label=_("Contract type"), choices=Contract.Kind.choices)
    service_types = forms.MultipleChoiceField(
        label=_("Service types"), choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput(),
                               help_text=_("Leave empty for an open-ended LOV contract."))
    extension_options = forms.CharField(label=_("Extension options"), required=False, max_length=200,
                                        help_text=_("For example: 2 × 12 months."))
    latest_end_date = forms.DateField(label=_("Latest end date with all extensions"), required=False, widget=DateInput())
    notice_months = forms.IntegerField(label=_("Notice period (months)"), min_value=0, max_value=60, initial=0)
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)


class ZoneForm(ServiceForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)


class AreaForm(ServiceForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.all(), required=False)
