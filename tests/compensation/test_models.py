"""Compensation models as files: validated with clear messages, imported whole, exported unchanged."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tillit.audit.models import AuditEvent
from tillit.compensation.files import read_model
from tillit.compensation.models import CompensationModel
from tillit.compensation.rules import RulesInvalid, best
from tillit.compensation.services import compensation_model_import, model_export
from tillit.registry.services import contract_create

MODEL = """
name = "Testby hemtjänst"

[[versions]]
valid_from = 2024-01-01
basis = "performed"
time_bands.day = { from = "07:00", to = "22:00" }
time_bands.night = { from = "22:00", to = "07:00" }

[[versions.hourly]]
band = "day"
rate = "500"

[[versions.hourly]]
band = "day"
regi = "private"
rate = "516.00"

[[versions.per_visit]]
band = "night"
amount = 260

[[versions]]
valid_from = 2024-04-01
basis = "performed_capped"
cap_percent = 80

[[versions.hourly]]
rate = 530.5
"""


def test_a_model_file_reads_into_exact_rules():
    document = read_model(MODEL)
    first, second = document.versions
    assert (first.valid_from, second.valid_from) == (datetime.date(2024, 1, 1), datetime.date(2024, 4, 1))
    assert best(first.rules.hourly, band="day", regi="private").rate == Decimal("516.00")
    assert best(first.rules.hourly, band="day", regi="municipal").rate == Decimal("500")
    assert first.rules.per_visit[0].amount == Decimal("260")
    assert (second.rules.basis, second.rules.cap_percent, second.rules.hourly[0].rate) == (
        "performed_capped", Decimal("80"), Decimal("530.5"))
    assert read_model(MODEL.replace("Testby", "Testby")) == document


@pytest.mark.parametrize("change, message", [
    (('basis = "performed"', 'basis = "maybe"'), "version 1.basis: 'maybe' is not one of granted, performed"),
    (('rate = "500"', 'rate = "fem hundra"'), "version 1.hourly[1].rate: 'fem hundra' is not a number"),
    (('rate = "500"', 'rate = "500.001"'), "version 1.hourly[1].rate: 500.001 has more than 2 decimals"),
    (('band = "day"\nrate = "500"', 'band = "evening"\nrate = "500"'), "'evening' is not one of the time bands"),
    (('cap_percent = 80\n', ''), "performed_capped needs the cap"),
    (('to = "07:00"', 'to = "08:00"'), "day and night both cover tue 07:00"),
    (('valid_from = 2024-04-01', 'valid_from = 2024-01-01'), "two versions take effect on the same day"),
])
def test_mistakes_are_named_with_the_version_and_rule(change, message):
    with pytest.raises(RulesInvalid) as error:
        read_model(MODEL.replace(*change), "avtal.toml")
    assert message in error.value.message and "avtal.toml" in error.value.message


def test_import_export_round_trip_and_the_same_file_twice(world):
    contract = contract_create(actor=None, provider=world.provider_a, reference="LOV-1", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2024, 1, 1))
    model, changed = compensation_model_import(actor=world.controller, text=MODEL, file_name="m.toml", contract=contract)
    assert changed and model.versions.count() == 2
    exported = model_export(model)
    assert read_model(exported) == read_model(MODEL)
    assert compensation_model_import(actor=world.controller, text=exported, file_name="again.toml",
                                     contract=contract) == (model, False)
    changed_text = exported.replace('"530.5"', '"540"')
    assert compensation_model_import(actor=world.controller, text=changed_text, file_name="m2.toml",
                                     contract=contract)[1]
    assert model.version_on(datetime.date(2024, 5, 1)).rules.hourly[0].rate == Decimal("540")
    assert model.version_on(datetime.date(2024, 3, 31)).valid_from == datetime.date(2024, 1, 1)
    events = list(AuditEvent.objects.filter(event_type__startswith="compensation_model.").order_by("id")
                  .values_list("event_type", flat=True))
    assert events == ["compensation_model.imported", "compensation_model.changed"]


def test_a_bad_file_changes_nothing(world):
    compensation_model_import(actor=None, text=MODEL, file_name="m.toml")
    with pytest.raises(RulesInvalid):
        compensation_model_import(actor=None, text=MODEL.replace('rate = "500"', 'rate = "-1"'), file_name="m.toml")
    assert CompensationModel.objects.get().versions.count() == 2


def test_cli_check_import_export(world, tmp_path: Path):
    path = tmp_path / "modell.toml"
    path.write_text(MODEL, encoding="utf-8")
    out = StringIO()
    call_command("compensation", "check", str(path), stdout=out)
    assert "2 version(s), valid" in out.getvalue()
    call_command("compensation", "import", str(path), stdout=out)
    model = CompensationModel.objects.get()
    target = tmp_path / "ut.toml"
    call_command("compensation", "export", str(model.pk), "--out", str(target), stdout=out)
    assert read_model(target.read_text()) == read_model(MODEL)
    with pytest.raises(CommandError, match="There is no contract NOPE"):
        call_command("compensation", "import", str(path), "--contract", "NOPE")
