"""User administration: only administrators, roles that fit, a set-password email, audit."""

from django.core import mail
from django.urls import reverse

from tests.conftest import client_for
from tillit.accounts.models import Membership, User
from tillit.audit.models import AuditEvent


def test_only_administrators_reach_user_administration(world):
    for user in (world.controller, world.finance, world.user_a, world.board):
        assert client_for(user).get(reverse("user-list")).status_code == 404
    assert client_for(world.admin).get(reverse("user-list")).status_code == 200


def test_a_new_user_gets_an_email_to_choose_a_password(world):
    client = client_for(world.admin)
    response = client.post(
        reverse("user-create"),
        {"email": "Ny@Test.Example", "full_name": "Ny Person", "organisation": world.provider_a.organisation_id,
         "role": "provider_user"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny@test.example")
    assert not user.has_usable_password()
    assert user.memberships.get().organisation == world.provider_a.organisation
    assert len(mail.outbox) == 1 and "/reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(event_type="user.created", actor=world.admin).exists()


def test_a_role_that_does_not_fit_the_organisation_is_refused(world):
    client = client_for(world.admin)
    response = client.post(
        reverse("user-create"),
        {"email": "fel@test.example", "organisation": world.provider_a.organisation_id, "role": "controller"},
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="fel@test.example").exists()


def test_roles_can_be_given_and_removed_and_users_deactivated(world):
    client = client_for(world.admin)
    url = reverse("user-detail", args=[world.finance.pk])
    assert client.post(url, {"organisation": world.municipality.pk, "role": "board_viewer"}).status_code == 302
    membership = Membership.objects.get(user=world.finance, role="board_viewer")
    client.post(reverse("membership-remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    client.post(reverse("user-active", args=[world.finance.pk]), {"active": "0"})
    world.finance.refresh_from_db()
    assert not world.finance.is_active
    assert client_for(world.finance).get(reverse("start")).status_code == 302
    # An administrator cannot lock themselves out.
    client.post(reverse("user-active", args=[world.admin.pk]), {"active": "0"})
    world.admin.refresh_from_db()
    assert world.admin.is_active
