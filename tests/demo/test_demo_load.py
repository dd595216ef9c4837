"""The demo municipality loads through the same path as real files, and shows what it promises."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for
from tillit.accounts.models import User
from tillit.care.models import CareEvent, Decision, Recipient
from tillit.deliveries.models import Delivery
from tillit.demo.load import LOAD_ORDER, build_demo
from tillit.demo.personas import DEMO_PASSWORD
from tillit.ledger.models import LedgerMonth
from tillit.registry.models import Contract, Provider

TODAY = datetime.date(2024, 6, 15)


@pytest.fixture
def demo(transactional_db, tmp_path):
    return build_demo(recipients=150, months=3, seed=7, today=TODAY, directory=tmp_path / "demo")


def test_every_demo_file_loads_without_a_rejected_row(demo):
    kinds = [delivery.kind for delivery in demo.deliveries]
    assert kinds == [kind for kind, _ in LOAD_ORDER] + ["visits"]
    assert all(d.status == Delivery.Status.LOADED and d.rows_rejected == 0 for d in demo.deliveries)
    assert Provider.objects.count() == 8
    assert Recipient.objects.count() >= 150
    assert Decision.objects.count() > 150
    assert CareEvent.objects.filter(event_type="complaint_received").exists()
    # The visits went through the ledger: three months of current files, no visit id twice.
    assert LedgerMonth.objects.count() == 3
    assert sum(month.rows for month in LedgerMonth.objects.all()) == demo.deliveries[-1].rows_accepted > 10_000


def test_building_the_demo_twice_changes_nothing(demo, tmp_path):
    counts = Recipient.objects.count(), Decision.objects.count(), Delivery.objects.count()
    build_demo(recipients=150, months=3, seed=7, today=TODAY, directory=tmp_path / "demo")
    assert (Recipient.objects.count(), Decision.objects.count(), Delivery.objects.count()) == counts


def test_the_personas_can_log_in_and_the_start_page_warns_of_an_ending_contract(demo, client):
    emails = {persona.email for persona in demo.personas}
    assert len(emails) == 7
    assert client.login(username="kontroller@tillby.example", password=DEMO_PASSWORD)
    ending = [c for c in Contract.objects.all() if c.end_date and TODAY < c.end_date <= datetime.date(2025, 6, 15)]
    assert ending, "the demo has a contract within the lead time"


def test_the_two_provider_personas_belong_to_different_providers(demo):
    first = User.objects.get(email="utforare1@tillby.example").memberships.get()
    second = User.objects.get(email="utforare2@tillby.example").memberships.get()
    assert first.organisation != second.organisation
    page = client_for(first.user).get(reverse("provider-list")).content.decode()
    assert second.organisation.name not in page


def test_demo_command_without_serving(transactional_db, tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", "--recipients", "60", "--months", "1", "--no-visits")
    out = capsys.readouterr().out
    assert "kontroller@tillby.example" in out and DEMO_PASSWORD in out


def test_the_demo_shows_real_kolada_figures_offline(demo, client):
    from tests.benchmarks.conftest import kolada_dir
    from tillit.benchmarks.models import KoladaValue

    kolada_dir()  # skips with the reason when ../shared/data/kolada/ is absent
    assert KoladaValue.objects.filter(municipality_id="0180").exists()
    assert client.login(username="namnd@tillby.example", password=DEMO_PASSWORD)
    html = client.get(reverse("benchmarks")).content.decode()
    assert "Källa: Kolada" in html and "Stockholm" in html


def test_the_demo_has_statements_to_look_at(demo):
    """The last two full months are priced: the older approved by finance, the newer a draft."""
    from tillit.compensation.models import Statement

    by_month = {month: list(Statement.objects.filter(month=month)) for month in ("2024-04", "2024-05")}
    assert all(by_month.values()), by_month
    assert {s.status for s in by_month["2024-04"]} == {"approved"}
    assert {s.status for s in by_month["2024-05"]} == {"draft"}
    for statement in by_month["2024-05"]:
        assert statement.total == sum(line.amount for line in statement.lines.all()) > 0
    components = set(Statement.objects.filter(month="2024-05").values_list("lines__component", flat=True))
    assert {"time", "per_visit", "schablon"} <= components
