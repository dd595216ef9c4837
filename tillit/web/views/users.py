"""User administration: who may log in, and with which roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts import selectors
from tillit.accounts.access import USER_ADMINS
from tillit.accounts.models import User
from tillit.accounts.services import membership_add, membership_remove, user_create, user_set_active
from tillit.common.errors import ValidationFailed
from tillit.web.forms.accounts import MembershipForm, UserForm
from tillit.web.views.base import form_page, paginate, require_roles


def user_list(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, USER_ADMINS)
    search = request.GET.get("q", "").strip()
    return render(
        request,
        "web/users/list.html",
        {"title": _("Users"), "page": paginate(request, selectors.user_list(viewer=viewer, search=search)), "search": search},
    )


class _SetPasswordEmailForm(PasswordResetForm):
    """Django's reset form skips users without a usable password; a new user has none yet."""

    def get_users(self, email: str):  # type: ignore[no-untyped-def]
        return User.objects.filter(email__iexact=email, is_active=True)


def _send_set_password_email(request: HttpRequest, user: User) -> None:
    """A new user chooses their own password through the reset link; nobody else ever knows it."""
    form = _SetPasswordEmailForm({"email": user.email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure(),
                  email_template_name="registration/password_set_email.html",
                  subject_template_name="registration/password_set_subject.txt")


def user_create_view(request: HttpRequest) -> HttpResponse:
    require_roles(request, USER_ADMINS)

    def save(data: dict) -> User:
        with transaction.atomic():
            user = user_create(
                actor=request.user, email=data["email"], full_name=data["full_name"],
                organisation=data["organisation"], role=data["role"],
            )
        _send_set_password_email(request, user)
        return user

    return form_page(
        request,
        form=UserForm(request.POST or None),
        save=save,
        success=lambda user: reverse("user-detail", args=[user.pk]),
        success_message=_("The user was added and has been sent an email to choose a password."),
        title=_("New user"),
        cancel_url=reverse("user-list"),
    )


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = require_roles(request, USER_ADMINS)
    person = selectors.user_get(viewer=viewer, user_id=user_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_add(actor=request.user, user=person, organisation=form.cleaned_data["organisation"],
                           role=form.cleaned_data["role"])
        except ValidationFailed as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The role was given."))
            return redirect("user-detail", user_id=person.pk)
    return render(
        request,
        "web/users/detail.html",
        {"title": person.email, "person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def membership_remove_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    viewer = require_roles(request, USER_ADMINS)
    membership = selectors.membership_get(viewer=viewer, membership_id=membership_id)
    user_id = membership.user_id
    membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("The role was removed."))
    return redirect("user-detail", user_id=user_id)


@require_POST
def user_active_view(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = require_roles(request, USER_ADMINS)
    person = selectors.user_get(viewer=viewer, user_id=user_id)
    try:
        user_set_active(actor=request.user, user=person, active=request.POST.get("active") == "1")
    except ValidationFailed as error:
        messages.error(request, error.message)
    return redirect("user-detail", user_id=person.pk)
