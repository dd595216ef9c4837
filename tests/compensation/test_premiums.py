"""The effect premium: offered by the controller, applied for by the provider with its measured
values filled in, decided, notified both ways, and paid as its own line on the statement."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tests.conftest import client_for
from tillit.common.periods import Month
from tillit.compensation.models import PremiumApplication, PremiumScheme
from tillit.compensation.statements import statement_run
from tillit.quality.services import indicator_run


@pytest.fixture
def offered(stockholm, django_capture_on_commit_callbacks):
    indicator_run(actor=None, month=Month(2024, 3), as_of=datetime.date(2024, 12, 1))
    contract = stockholm.provider_a.contracts.get()
    response = client_for(stockholm.world.controller).post(reverse("premium-new"), {
        "contract": contract.pk, "name": "Effektpremie våren 2024", "first": "2024-03", "last": "2024-03",
        "pay": "2024-05", "max_amount": "25 000",
        "indicator_0": "punctuality", "operator_0": "gte", "threshold_0": "90",
        "indicator_1": "", "label_1": "Nöjda brukare", "operator_1": "gte", "threshold_1": "80",
        "source_1": "Socialstyrelsens brukarundersökning 2024",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    return stockholm, PremiumScheme.objects.get()


def test_the_provider_applies_with_its_measured_values(offered, django_capture_on_commit_callbacks):
    world, scheme = offered[0].world, offered[1]
    provider = client_for(world.user_a)
    page = provider.get(reverse("premium-apply", args=[scheme.pk]))
    assert page.status_code == 200
    measured = page.context["measured"]
    assert (measured[0]["value"], measured[0]["met"]) == ("100.00", True)  # every March visit on time
    assert (measured[1]["value"], measured[1]["met"]) == (None, None)  # judged by the municipality
    with django_capture_on_commit_callbacks(execute=True):
        response = provider.post(reverse("premium-apply", args=[scheme.pk]), {
            "comment": "Vi har arbetat med planeringen.",
            "attachment": SimpleUploadedFile("underlag.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    application = PremiumApplication.objects.get()
    assert response["Location"] == reverse("premium-application", args=[application.pk])
    assert application.measured[0]["value"] == "100.00" and application.attachment
    assert [m.to for m in mail.outbox] == [["controller@test.example"]]
    assert provider.get(reverse("premium-attachment", args=[application.pk])).status_code == 200


def test_provider_b_sees_none_of_it(offered, django_capture_on_commit_callbacks):
    world, scheme = offered[0].world, offered[1]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.user_a).post(reverse("premium-apply", args=[scheme.pk]), {"comment": "x"})
    application = PremiumApplication.objects.get()
    other = client_for(world.user_b)
    for url in (reverse("premium-apply", args=[scheme.pk]), reverse("premium-application", args=[application.pk]),
                reverse("premium-attachment", args=[application.pk])):
        assert other.get(url).status_code == 404, url
    assert "Effektpremie våren 2024" not in other.get(reverse("premium-list")).content.decode()
    assert client_for(world.user_a).post(reverse("premium-new"), {}).status_code == 404


def test_the_controller_decides_and_the_amount_is_a_line_on_the_statement(offered, django_capture_on_commit_callbacks):
    ledger, scheme = offered
    world = ledger.world
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.user_a).post(reverse("premium-apply", args=[scheme.pk]), {"comment": ""})
    application = PremiumApplication.objects.get()
    controller = client_for(world.controller)
    url = reverse("premium-application", args=[application.pk])
    controller.post(url, {"decision": "approve", "amount": "30000"})  # more than the premium's 25 000
    assert PremiumApplication.objects.get().status == "submitted"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        controller.post(url, {"decision": "approve", "amount": "20 000"})
    application.refresh_from_db()
    assert (application.status, application.amount) == ("approved", Decimal("20000.00"))
    assert [m.to for m in mail.outbox] == [["a@test.example"]]
    outcome, = statement_run(actor=None, month=Month(2024, 5))
    premium = outcome.statement.lines.get(component="effect_premium")
    assert (premium.amount, premium.recipient_id) == (Decimal("20000.00"), None)
    assert outcome.statement.total == Decimal("20000.00") + Decimal("197.00")  # and r4's alarm month
    assert not statement_run(actor=None, month=Month(2024, 4))[0].statement.lines.filter(component="effect_premium")


def test_a_rejection_needs_a_reason(offered, django_capture_on_commit_callbacks):
    world, scheme = offered[0].world, offered[1]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.user_a).post(reverse("premium-apply", args=[scheme.pk]), {})
    application = PremiumApplication.objects.get()
    controller = client_for(world.controller)
    controller.post(reverse("premium-application", args=[application.pk]), {"decision": "reject", "reason": ""})
    assert PremiumApplication.objects.get().status == "submitted"
    controller.post(reverse("premium-application", args=[application.pk]),
                    {"decision": "reject", "reason": "Brukarundersökningen visar 72 %."})
    assert PremiumApplication.objects.get().status == "rejected"
