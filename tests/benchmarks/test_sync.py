"""A sync stores what Kolada says with the time fetched, and records every revision Kolada made."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from django.utils import translation
from django.core.management import call_command

from tillit.audit.models import AuditEvent
from tillit.benchmarks.models import GroupMember, KoladaSync, KoladaValue, Kpi, Municipality, ValueRevision
from tillit.benchmarks.services import sync_request, sync_run
from tillit.common.errors import ApplicationError

pytestmark = pytest.mark.django_db

OPTIONS = {"municipality": "0180", "kpis": ["N03702", "N00945"], "years": list(range(2012, 2020))}


def _sync(options=None):
    return sync_run(sync=sync_request(actor=None, options=dict(options or OPTIONS)))



@pytest.fixture(autouse=True)
def _english():
    """The messages' English source text (the UI shows them in Swedish; test_pages checks that)."""
    with translation.override("en"):
        yield

def test_a_sync_fetches_catalogue_groups_and_values_for_us_and_our_groups(kolada_client, kolada):
    sync = _sync()
    assert sync.state == KoladaSync.State.DONE
    assert Kpi.objects.get(pk="N21006").title == "Kostnad hemtjänst äldreomsorg, kr/hemtjänsttagare"
    assert Municipality.objects.get(pk="0180").title == "Stockholm"
    # Default groups: Kolada's elderly-care peers of Stockholm and SKR's Storstäder.
    assert sorted(sync.options["groups"]) == ["G176683", "G92787"]
    assert GroupMember.objects.filter(group_id="G176683").count() == 7
    # Values for us and every member: the recorded ones exist for Stockholm, Malmö and Göteborg.
    assert KoladaValue.objects.filter(kpi_id="N03702").count() == 24
    assert KoladaValue.objects.filter(kpi_id="N00945", year__gte=2012).count() == 24
    value = KoladaValue.objects.get(kpi_id="N03702", municipality_id="1280", year=2015)
    assert value.fetched_at == value.first_fetched_at == value.changed_at
    assert (sync.values_new, sync.values_changed) == (48, 0)
    event = AuditEvent.objects.get(event_type="kolada.synced")
    assert event.new_values["values_new"] == 48


def test_the_next_sync_finds_what_kolada_revised_without_saying(kolada_client, kolada):
    _sync()
    before = KoladaValue.objects.get(kpi_id="N03702", municipality_id="0180", year=2019)
    kolada.row("N03702", "0180", 2019)["values"][0]["value"] = 901.5  # Kolada revised a published value
    kolada.row("N03702", "1280", 2018)["values"][0]["status"] = "B"  # … and flagged another as uncertain
    kolada.row("N03702", "1480", 2017)["values"][0]["isdeleted"] = True  # … and withdrew a third
    second = _sync()
    assert (second.values_new, second.values_changed, second.values_withdrawn) == (0, 2, 1)
    assert second.values_unchanged == 45
    after = KoladaValue.objects.get(pk=before.pk)
    assert after.value == Decimal("901.5") and after.changed_at > before.changed_at
    assert after.first_fetched_at == before.first_fetched_at
    revised = ValueRevision.objects.get(kpi_id="N03702", municipality_id="0180", year=2019)
    assert revised.old_value == before.value and revised.new_value == Decimal("901.5")
    assert revised.sync_id == second.pk
    flagged = ValueRevision.objects.get(municipality_id="1280", year=2018)
    assert (flagged.old_status, flagged.new_status) == ("", "B")
    assert KoladaValue.objects.get(kpi_id="N03702", municipality_id="1280", year=2018).status == "B"
    assert ValueRevision.objects.get(municipality_id="1480", year=2017).withdrawn
    assert not KoladaValue.objects.filter(kpi_id="N03702", municipality_id="1480", year=2017).exists()


def test_an_unchanged_value_is_no_revision_even_through_float_text(kolada_client, kolada):
    _sync()
    _sync()
    assert ValueRevision.objects.count() == 0


def test_a_failed_sync_leaves_the_stored_data_alone(kolada_client, kolada):
    _sync()
    kolada.script = [httpx.Response(200, json={"count": 0, "values": []})] * 2 + [httpx.ConnectError("down")] * 5
    with pytest.raises(ApplicationError):
        _sync()
    assert KoladaValue.objects.count() == 48


def test_an_unknown_municipality_is_a_clear_error(kolada_client):
    with pytest.raises(ApplicationError, match="no municipality with the id 9999"):
        _sync({"municipality": "9999"})


def test_the_sync_command(kolada_client, capsys):
    call_command("kolada", "sync", "--municipality", "0180", "--kpi", "N03702", "--years", "2012:2019")
    assert "24 new values" in capsys.readouterr().out
