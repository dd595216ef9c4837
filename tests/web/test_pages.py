"""Every page: who may open it, and that another provider's things are a 404."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, client_for
from tests.web.fixtures import populate
from tillit.audit.models import AuditEvent


@pytest.fixture
def things(world):
    return populate(world)


def _provider_pages(world, things, label):
    provider = world.provider_a if label == "a" else world.provider_b
    own = things[label]
    return [
        reverse("provider-detail", args=[provider.pk]),
        reverse("contract-detail", args=[own.contract.pk]),
        reverse("recipient-detail", args=[own.recipient.pk]),
        reverse("delivery-detail", args=[own.delivery_id]),
        reverse("delivery-report", args=[own.delivery_id]),
    ]


LIST_PAGES = ["start", "provider-list", "contract-list", "recipient-list", "delivery-list"]
MUNICIPAL_PAGES = ["intervention-list", "area-list", "audit-list", "provider-create", "contract-create",
                   "intervention-create", "area-create", "zone-create"]


def test_a_controller_can_open_every_page(world, things):
    client = client_for(world.controller)
    for name in LIST_PAGES + MUNICIPAL_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    for url in _provider_pages(world, things, "a") + _provider_pages(world, things, "b"):
        assert client.get(url).status_code == 200, url
    for url in (
        reverse("provider-edit", args=[world.provider_a.pk]),
        reverse("unit-create", args=[world.provider_a.pk]),
        reverse("unit-edit", args=[things["a"].unit.pk]),
        reverse("contract-edit", args=[things["a"].contract.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("own,other", [("a", "b"), ("b", "a")])
def test_a_provider_user_gets_404_for_the_other_providers_things(world, things, own, other):
    client = client_for(world.user_a if own == "a" else world.user_b)
    for url in _provider_pages(world, things, own):
        assert client.get(url).status_code == 200, url
    for url in _provider_pages(world, things, other):
        assert client.get(url).status_code == 404, url


def test_another_providers_thing_looks_exactly_like_a_missing_one(world, things):
    client = client_for(world.user_b)
    not_yours_url = reverse("recipient-detail", args=[things["a"].recipient.pk])
    missing_url = reverse("recipient-detail", args=[999_999])
    not_yours, missing = client.get(not_yours_url), client.get(missing_url)
    assert not_yours.status_code == missing.status_code == 404
    # Identical but for the per-response CSRF token and the requested path the page echoes.
    assert _normalised(not_yours.content, not_yours_url) == _normalised(missing.content, missing_url)


def _normalised(content: bytes, url: str) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return content.replace(url.encode(), b"URL")


def test_lists_show_a_provider_user_only_its_own_rows(world, things):
    client = client_for(world.user_a)
    for name, own, foreign in [
        ("provider-list", "Omsorg A AB", "Omsorg B AB"),
        ("contract-list", "LOV-a", "LOV-b"),
        ("recipient-list", "P:a-kund", "P:b-kund"),
        ("delivery-list", "a.csv", "b.csv"),
    ]:
        page = client.get(reverse(name)).content.decode()
        assert own in page, name
        assert foreign not in page, name


def test_provider_users_cannot_use_municipal_pages_or_edit(world, things):
    client = client_for(world.user_a)
    for name in MUNICIPAL_PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    for url in (
        reverse("provider-edit", args=[world.provider_a.pk]),
        reverse("unit-edit", args=[things["a"].unit.pk]),
        reverse("contract-edit", args=[things["a"].contract.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Kapad"}).status_code == 404, url


def test_a_board_viewer_reads_the_registry_but_no_care_data(world, things):
    client = client_for(world.board)
    assert client.get(reverse("provider-list")).status_code == 200
    assert client.get(reverse("recipient-list")).status_code == 404
    assert client.get(reverse("recipient-detail", args=[things["a"].recipient.pk])).status_code == 404
    assert client.get(reverse("provider-create")).status_code == 404


def test_pages_need_a_login(client, world):
    response = client.get(reverse("provider-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_viewing_a_recipient_is_audited_and_numbers_are_masked_for_finance(world, things):
    recipient = things["a"].recipient
    client_for(world.finance).get(reverse("recipient-detail", args=[recipient.pk]))
    event = AuditEvent.objects.get(event_type="recipient.viewed")
    assert event.actor == world.finance and event.target_id == str(recipient.pk)
    page = client_for(world.user_a).get(reverse("recipient-detail", args=[recipient.pk])).content.decode()
    assert "Kund A" in page  # the provider's own user sees the name
    assert AuditEvent.objects.filter(event_type="recipient.viewed").count() == 2


def test_creating_a_provider_through_the_form(world):
    client = client_for(world.controller)
    bad = client.post(reverse("provider-create"), {"name": "X", "org_number": "123", "regi": "private", "service_types": ["home_care"]})
    assert bad.status_code == 400
    assert "organisationsnummer" in bad.content.decode().lower() or "organisation number" in bad.content.decode().lower()
    good = client.post(
        reverse("provider-create"),
        {"name": "Nya Omsorgen AB", "org_number": "5560160680", "regi": "private", "service_types": ["home_care"], "active": "on"},
    )
    assert good.status_code == 302
    assert AuditEvent.objects.filter(event_type="provider.created", actor=world.controller).exists()


def test_uploading_a_file_with_a_bad_row_waits_for_a_decision(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.controller)
    content = "code;name;zone\nnorr;Norra;tatort\n;Utan kod;tatort\n".encode("utf-8")
    response = client.post(
        reverse("delivery-upload"), {"kind": "areas", "file": SimpleUploadedFile("omraden.csv", content)}
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    delivery = detail.context["delivery"]
    assert delivery.status == "pending" and delivery.rows_rejected == 1
    accepted = client.post(reverse("delivery-accept", args=[delivery.pk]))
    assert accepted.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "loaded" and delivery.rows_accepted == 1


def test_login_logout_and_password_reset(client, world):
    response = client.post(reverse("login"), {"username": "controller@test.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("start")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("start")).status_code == 302
    client.post(reverse("password_reset"), {"email": "controller@test.example"})
    assert len(mail.outbox) == 1 and "controller@test.example" in mail.outbox[0].to


def test_the_language_can_be_switched(client, world):
    client.force_login(world.controller)
    swedish = client.get(reverse("provider-list")).content.decode()
    assert 'lang="sv"' in swedish
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("provider-list")).content.decode()
    assert 'lang="en"' in english and "Providers" in english


def test_recipient_search_is_posted_so_numbers_stay_out_of_addresses(world, things):
    client = client_for(world.controller)
    found = client.post(reverse("recipient-list"), {"q": "P:a-kund"})
    assert found.status_code == 200
    assert list(found.context["page"].object_list) == [things["a"].recipient]
    # A number in the address is ignored rather than searched.
    ignored = client.get(reverse("recipient-list") + "?q=P:a-kund")
    assert len(ignored.context["page"].object_list) == 2
    # A provider user's search never finds another provider's recipient.
    assert list(client_for(world.user_b).post(reverse("recipient-list"), {"q": "P:a-kund"}).context["page"].object_list) == []


def test_a_provider_user_may_deliver_only_visits(world):
    page = client_for(world.user_a).get(reverse("delivery-upload"))
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == ["visits"]
    assert client_for(world.board).get(reverse("delivery-upload")).status_code == 404


def test_a_visit_file_is_read_in_the_background_and_the_page_follows_it(world, things):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tillit.deliveries.models import UploadJob

    content = (
        "visit_id;recipient_id;staff_id;planned_start;planned_end;registered_start;registered_end;intervention_codes\n"
        "V1;P:a-kund;S1;2024-03-04 08:00;2024-03-04 08:30;2024-03-04 08:05;2024-03-04 08:31;MORG\n"
    ).encode()
    client = client_for(world.user_a)
    response = client.post(reverse("delivery-upload"), {"kind": "visits", "file": SimpleUploadedFile("besok.csv", content)})
    job = UploadJob.objects.get()
    assert response["Location"] == reverse("upload-job", args=[job.pk])
    assert job.organisation == world.provider_a.organisation  # delivered for the user's own provider
    # The worker ran (at once in tests); the job page hands over to the delivery.
    followed = client.get(response["Location"])
    assert followed.status_code == 302 and followed["Location"] == reverse("delivery-detail", args=[job.delivery_id])
    job.refresh_from_db()
    assert job.state == "done" and job.delivery.status == "loaded" and job.delivery.rows_accepted == 1
    assert not __import__("pathlib").Path(job.path).exists()  # the received copy is gone
    # Another provider's user cannot follow the job.
    assert client_for(world.user_b).get(response["Location"]).status_code == 404


def test_a_queued_job_page_refreshes_itself_and_a_failed_one_says_why(world):
    from tillit.deliveries.models import UploadJob

    queued = UploadJob.objects.create(kind="visits", file_name="stor.csv", path="/nonexistent", requested_by=world.controller)
    page = client_for(world.controller).get(reverse("upload-job", args=[queued.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "stor.csv" in page
    failed = UploadJob.objects.create(kind="visits", file_name="trasig.csv", path="/nonexistent",
                                      requested_by=world.controller, state="failed", message="Filen är tom.")
    page = client_for(world.controller).get(reverse("upload-job", args=[failed.pk])).content.decode()
    assert "Filen är tom." in page and 'http-equiv="refresh"' not in page
