"""Access rules: who sees what, and "not found" equals "not yours"."""

import pytest

from tillit.accounts.access import (
    ANONYMOUS,
    can_edit_registry,
    can_read_audit,
    can_read_care_data,
    can_see_personal_ids,
    get_scoped,
    loadable_kinds,
    scope_by_provider,
    viewer_for,
)
from tillit.accounts.models import Role
from tillit.accounts.services import membership_add, user_create
from tillit.common.errors import NotFound, ValidationFailed
from tillit.registry.models import Provider


def test_a_provider_user_sees_only_its_own_provider(world):
    viewer = viewer_for(world.user_a)
    visible = scope_by_provider(viewer, Provider.objects.all(), "organisation_id")
    assert list(visible) == [world.provider_a]


def test_municipal_roles_see_every_provider(world):
    for user in (world.controller, world.finance, world.case_officer, world.board, world.admin):
        viewer = viewer_for(user)
        assert scope_by_provider(viewer, Provider.objects.all(), "organisation_id").count() == 2


def test_another_providers_record_is_not_found_exactly_like_a_missing_one(world):
    viewer = viewer_for(world.user_b)
    with pytest.raises(NotFound) as not_yours:
        get_scoped(viewer, Provider.objects.all(), "organisation_id", pk=world.provider_a.pk)
    with pytest.raises(NotFound) as missing:
        get_scoped(viewer, Provider.objects.all(), "organisation_id", pk=999_999)
    assert str(not_yours.value) == str(missing.value)


def test_a_user_without_membership_sees_nothing(world):
    lonely = user_create(actor=None, email="lonely@test.example", password="x-long-password-1")
    viewer = viewer_for(lonely)
    assert not viewer.is_municipal and not viewer.is_provider_user
    assert scope_by_provider(viewer, Provider.objects.all(), "organisation_id").count() == 0


def test_an_inactive_user_is_anonymous(world):
    world.controller.is_active = False
    assert viewer_for(world.controller) == ANONYMOUS


def test_role_rules(world):
    controller, finance, board = viewer_for(world.controller), viewer_for(world.finance), viewer_for(world.board)
    user_a = viewer_for(world.user_a)
    assert can_edit_registry(controller) and not can_edit_registry(finance) and not can_edit_registry(user_a)
    assert can_read_audit(controller) and can_read_audit(viewer_for(world.admin)) and not can_read_audit(finance)
    assert can_read_care_data(user_a) and not can_read_care_data(board)
    assert can_see_personal_ids(controller) and can_see_personal_ids(user_a) and not can_see_personal_ids(finance)
    assert "decisions" in loadable_kinds(viewer_for(world.case_officer))
    assert "providers" not in loadable_kinds(viewer_for(world.case_officer))
    assert loadable_kinds(user_a) == ["visits"]  # their own, scoped to their provider


def test_roles_must_fit_the_organisation(world):
    with pytest.raises(ValidationFailed):
        membership_add(actor=None, user=world.user_a, organisation=world.provider_a.organisation, role=Role.CONTROLLER)
    with pytest.raises(ValidationFailed):
        membership_add(actor=None, user=world.controller, organisation=world.municipality, role=Role.PROVIDER_USER)


def test_a_user_of_both_providers_sees_both(world):
    membership_add(actor=None, user=world.user_a, organisation=world.provider_b.organisation, role=Role.PROVIDER_USER)
    viewer = viewer_for(world.user_a)
    assert scope_by_provider(viewer, Provider.objects.all(), "organisation_id").count() == 2
