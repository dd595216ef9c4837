"""The web UI's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tillit.web.views import (
    areas, audit, contracts, deliveries, interventions, jobs, providers, recipients, start, users, visits,
)

urlpatterns = [
    path("", start.start, name="start"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("providers/", providers.provider_list, name="provider-list"),
    path("providers/new/", providers.provider_create, name="provider-create"),
    path("providers/<int:provider_id>/", providers.provider_detail, name="provider-detail"),
    path("providers/<int:provider_id>/edit/", providers.provider_edit, name="provider-edit"),
    path("providers/<int:provider_id>/units/new/", providers.unit_create, name="unit-create"),
    path("units/<int:unit_id>/edit/", providers.unit_edit, name="unit-edit"),
    path("contracts/", contracts.contract_list, name="contract-list"),
    path("contracts/new/", contracts.contract_create, name="contract-create"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract-detail"),
    path("contracts/<int:contract_id>/edit/", contracts.contract_edit, name="contract-edit"),
    path("areas/", areas.area_list, name="area-list"),
    path("areas/new/", areas.area_create, name="area-create"),
    path("areas/<int:area_id>/edit/", areas.area_edit, name="area-edit"),
    path("zones/new/", areas.zone_create, name="zone-create"),
    path("zones/<int:zone_id>/edit/", areas.zone_edit, name="zone-edit"),
    path("interventions/", interventions.intervention_list, name="intervention-list"),
    path("interventions/new/", interventions.intervention_create, name="intervention-create"),
    path("interventions/<int:intervention_id>/edit/", interventions.intervention_edit, name="intervention-edit"),
    path("recipients/", recipients.recipient_list, name="recipient-list"),
    path("recipients/<int:recipient_id>/", recipients.recipient_detail, name="recipient-detail"),
    path("visits/", visits.visit_list, name="visit-list"),
    path("deliveries/", deliveries.delivery_list, name="delivery-list"),
    path("deliveries/upload/", deliveries.delivery_upload, name="delivery-upload"),
    path("deliveries/<int:delivery_id>/", deliveries.delivery_detail, name="delivery-detail"),
    path("deliveries/jobs/<int:job_id>/", jobs.upload_job, name="upload-job"),
    path("deliveries/<int:delivery_id>/report.csv", deliveries.delivery_report, name="delivery-report"),
    path("deliveries/<int:delivery_id>/report.xlsx", deliveries.delivery_report_xlsx, name="delivery-report-xlsx"),
    path("deliveries/<int:delivery_id>/accept/", deliveries.delivery_decide, {"decision": "accept"}, name="delivery-accept"),
    path("deliveries/<int:delivery_id>/reject/", deliveries.delivery_decide, {"decision": "reject"}, name="delivery-reject"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("users/", users.user_list, name="user-list"),
    path("users/new/", users.user_create_view, name="user-create"),
    path("users/<int:user_id>/", users.user_detail, name="user-detail"),
    path("users/<int:user_id>/active/", users.user_active_view, name="user-active"),
    path("memberships/<int:membership_id>/remove/", users.membership_remove_view, name="membership-remove"),
]
