"""Compensation models in the UI: read by finance, edited by controllers (validated, audited)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.compensation.test_stockholm import STOCKHOLM, stockholm  # noqa: F401 (fixture)
from tests.conftest import client_for
from tillit.audit.models import AuditEvent
from tillit.compensation.models import CompensationModel


def test_controllers_edit_the_file_and_mistakes_are_shown_not_saved(stockholm):
    model = CompensationModel.objects.get()
    url = reverse("model-detail", args=[model.pk])
    controller = client_for(stockholm.world.controller)
    page = controller.get(url)
    assert page.status_code == 200 and 'rate = "516"' in page.context["text"]
    broken = page.context["text"].replace('rate = "516"', 'rate = "femhundra"', 1)
    response = controller.post(url, {"text": broken})
    assert response.status_code == 200 and "femhundra" in response.content.decode()  # kept in the editor
    assert model.versions.get().rules_data["hourly"][0]["rate"] == "516"
    raised = page.context["text"].replace('rate = "516"', 'rate = "530.00"', 1)
    assert controller.post(url, {"text": raised}).status_code == 302
    assert model.versions.get().rules_data["hourly"][0]["rate"] == "530.00"
    assert AuditEvent.objects.filter(event_type="compensation_model.changed").count() == 1
    assert controller.get(url + "?format=toml").content.decode().startswith('name = "Stockholm')


def test_finance_reads_providers_do_not(stockholm):
    model = CompensationModel.objects.get()
    url = reverse("model-detail", args=[model.pk])
    assert client_for(stockholm.world.finance).get(url).status_code == 200
    assert client_for(stockholm.world.finance).post(url, {"text": ""}).status_code == 404
    for user in (stockholm.world.user_a, stockholm.world.user_b):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(reverse("model-list")).status_code == 404


def test_a_model_file_is_loaded_from_the_list(stockholm):
    text = STOCKHOLM.replace("Stockholm hemtjänst 2024", "Jämförelse")
    response = client_for(stockholm.world.controller).post(reverse("model-list"), {
        "file": SimpleUploadedFile("jamforelse.toml", text.encode(), content_type="text/plain")})
    assert response.status_code == 302
    assert CompensationModel.objects.filter(name="Jämförelse", contract__isnull=True).exists()
