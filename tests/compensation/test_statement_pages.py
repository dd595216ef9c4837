"""The statement pages: a month's statements, one statement line by line, approval and locking,
the difference after a re-run, the drill-down to the visits — and provider B's 404s."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.compensation.statement_fixtures import MARCH, computed  # noqa: F401 (fixture)
from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tests.conftest import client_for
from tests.engine.builders import deliver_visits
from tests.ledger.helpers import visit
from tillit.compensation.models import Statement
from tillit.compensation.statements import statement_run

MONTH_URL = reverse("statement-month") + "?month=2024-03"


def _detail(statement: Statement) -> str:
    return reverse("statement-detail", args=[statement.pk])


def _sv(text: str) -> str:
    with translation.override("sv"):
        return gettext(text)


@pytest.mark.parametrize("role", ["controller", "finance", "admin", "board"])
def test_the_month_lists_every_providers_latest_statement_for_municipal_readers(computed, role):
    page = client_for(getattr(computed.world, role)).get(MONTH_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Omsorg A AB" in html and "Omsorg B AB" in html
    assert "308,00" in html  # 2 308,00 kr, Swedish by default
    assert reverse("statement-detail", args=[computed.a.pk]) in html


def test_a_provider_user_sees_only_its_own_statements_in_the_month(computed):
    html = client_for(computed.world.user_a).get(MONTH_URL).content.decode()
    assert "Omsorg A AB" in html and "Omsorg B AB" not in html
    html_b = client_for(computed.world.user_b).get(MONTH_URL).content.decode()
    assert "Omsorg B AB" in html_b and "Omsorg A AB" not in html_b


def test_case_officers_have_no_compensation_pages(computed):
    client = client_for(computed.world.case_officer)
    assert client.get(MONTH_URL).status_code == 404
    assert client.get(_detail(computed.a)).status_code == 404
    assert _sv("Compensation") not in client.get(reverse("start")).content.decode()


def test_the_menu_has_compensation_for_those_who_read_statements(computed):
    html = client_for(computed.world.finance).get(reverse("start")).content.decode()
    assert f'href="{reverse("statement-month")}"' in html


@pytest.mark.parametrize("role", ["controller", "finance", "admin", "user_a"])
def test_the_statement_page_shows_totals_lines_per_recipient_and_the_model(computed, role):
    page = client_for(getattr(computed.world, role)).get(_detail(computed.a))
    assert page.status_code == 200
    html = page.content.decode()
    for recipient in ("P:r1", "P:r2", "P:r3", "P:r4"):
        assert recipient in html
    assert "559,00" in html and "1\xa0032,00" in html and "197,00" in html and "2\xa0308,00" in html
    assert _sv("Time") in html and _sv("Per visit") in html and _sv("Per month") in html
    assert "2024-01-01" in html  # the model version used
    assert "Stockholm hemtjänst 2024" in html and "516" in html  # the model as priced (TOML)
    visits = reverse("statement-recipient-visits", args=[computed.a.pk, computed.ledger.recipients["P:r1"]])
    assert visits in html


def test_the_board_reads_a_statements_totals_but_not_its_lines(computed):
    client = client_for(computed.world.board)
    html = client.get(_detail(computed.a)).content.decode()
    assert "2\xa0308,00" in html
    assert "P:r1" not in html
    recipient = computed.ledger.recipients["P:r1"]
    assert client.get(reverse("statement-recipient-visits", args=[computed.a.pk, recipient])).status_code == 404
    assert client.get(reverse("statement-csv", args=[computed.a.pk])).status_code == 404


def test_provider_b_gets_404_for_provider_as_statement_lines_and_drill_downs(computed):
    client = client_for(computed.world.user_b)
    assert client.get(_detail(computed.b)).status_code == 200  # its own
    assert client.get(_detail(computed.a)).status_code == 404
    recipient = computed.ledger.recipients["P:r1"]
    assert client.get(reverse("statement-recipient-visits", args=[computed.a.pk, recipient])).status_code == 404
    assert client.get(reverse("statement-month") + f"?month=2024-03&provider={computed.a.provider_id}"
                      ).content.decode().count("Omsorg A AB") == 0
    missing = Statement.objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("statement-detail", args=[missing])).status_code == 404


def test_each_recipients_lines_drill_down_to_the_visits_behind_them(computed):
    recipient = computed.ledger.recipients["P:r2"]
    response = client_for(computed.world.user_a).get(
        reverse("statement-recipient-visits", args=[computed.a.pk, recipient]))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("visit-list")
    assert parse_qs(target.query) == {"month": ["2024-03"], "provider": [str(computed.a.provider_id)],
                                      "recipient": [str(recipient)]}
    visits = client_for(computed.world.user_a).get(response["Location"])
    assert visits.status_code == 200
    assert visits.context["total"] == 2  # v3 and v4, the visits behind P:r2's time line


def test_a_recipient_without_a_line_on_the_statement_is_not_a_drill_down(computed):
    recipient = computed.ledger.recipients["P:r5"]  # no visits in March
    response = client_for(computed.world.controller).get(
        reverse("statement-recipient-visits", args=[computed.a.pk, recipient]))
    assert response.status_code == 404


def test_finance_approves_and_the_statement_is_locked(computed):
    client = client_for(computed.world.finance)
    html = client.get(_detail(computed.a)).content.decode()
    assert reverse("statement-approve", args=[computed.a.pk]) in html
    response = client.post(reverse("statement-approve", args=[computed.a.pk]), follow=True)
    assert response.status_code == 200
    computed.a.refresh_from_db()
    assert computed.a.status == Statement.Status.APPROVED and computed.a.approved_by == computed.world.finance
    approved_at = computed.a.approved_at
    html = response.content.decode()
    assert "finance@test.example" in html and approved_at.astimezone().strftime("%Y-%m-%d") in html
    assert reverse("statement-approve", args=[computed.a.pk]) not in html  # no second button
    again = client.post(reverse("statement-approve", args=[computed.a.pk]), follow=True)
    assert _sv("The statement is already approved.") in again.content.decode()
    computed.a.refresh_from_db()
    assert computed.a.approved_at == approved_at


@pytest.mark.parametrize("role", ["controller", "board", "user_a", "user_b", "case_officer"])
def test_only_finance_and_admins_approve(computed, role):
    response = client_for(getattr(computed.world, role)).post(reverse("statement-approve", args=[computed.a.pk]))
    assert response.status_code == 404
    computed.a.refresh_from_db()
    assert computed.a.status == Statement.Status.DRAFT


def test_a_run_after_approval_makes_version_2_and_shows_the_difference_per_recipient(computed):
    client_for(computed.world.finance).post(reverse("statement-approve", args=[computed.a.pk]))
    deliver_visits(computed.ledger, [visit("v6", "2024-03-12 09:00", "2024-03-12 10:00", recipient_id="P:r5")])
    outcome = next(o for o in statement_run(actor=None, month=MARCH) if o.provider.pk == computed.a.provider_id)
    second = outcome.statement
    assert (second.number, second.status) == (2, Statement.Status.DRAFT)
    computed.a.refresh_from_db()
    assert computed.a.status == Statement.Status.APPROVED  # the approved version stays as it was

    html = client_for(computed.world.user_a).get(_detail(second)).content.decode()
    with translation.override("sv"):
        heading = gettext("Difference from version %(number)s") % {"number": 1}
        unchanged = translation.ngettext("%(count)s recipient has the same amount as before.",
                                         "%(count)s recipients have the same amount as before.", 4) % {"count": 4}
    assert heading in html
    assert "P:r5" in html and "+516,00" in html  # one hour at 516 kr for the new recipient
    assert unchanged in html
    month = client_for(computed.world.controller).get(MONTH_URL).content.decode()
    assert "2\xa0824,00" in month  # the month shows the latest version
    old = client_for(computed.world.finance).get(_detail(computed.a)).content.decode()
    assert reverse("statement-detail", args=[second.pk]) in old  # "a newer version exists"


def test_a_controller_runs_the_month_as_a_job_and_sees_when_it_is_done(stockholm, django_capture_on_commit_callbacks):
    client = client_for(stockholm.world.controller)
    assert not Statement.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("statement-run"), {"month": "2024-03"})
    assert response.status_code == 302
    statement = Statement.objects.get(provider=stockholm.provider_a, month="2024-03")
    assert str(statement.total) == "2308.00"
    html = client.get(response["Location"]).content.decode()
    with translation.override("sv"):
        queued = gettext("The statements of %(month)s are being computed. Reload the page in a while.") % {
            "month": "2024-03"}
    assert queued in html
    assert "Omsorg A AB" in html
    with translation.override("sv"):
        done = translation.ngettext(
            "The last run finished %(when)s: %(count)s statement computed, of which %(changed)s changed.",
            "The last run finished %(when)s: %(count)s statements computed, of which %(changed)s changed.", 1)
    before, after = done.split("%(when)s")
    assert before in html and after % {"count": 1, "changed": 1} in html


@pytest.mark.parametrize("role", ["finance", "board", "user_a"])
def test_only_controllers_and_admins_run_the_month(computed, role):
    client = client_for(getattr(computed.world, role))
    assert client.post(reverse("statement-run"), {"month": "2024-03"}).status_code == 404
    assert reverse("statement-run") not in client.get(MONTH_URL).content.decode()


def test_the_lines_come_a_page_of_recipients_at_a_time_with_a_search(computed):
    """A large provider has thousands of recipients: the page shows them by label, a page at a
    time, reads only those lines, finds one by search, and opens the page of one named in a link."""
    from tillit.accounts.access import viewer_for
    from tillit.compensation.selectors import statement_lines_page

    viewer = viewer_for(computed.world.controller)
    first = statement_lines_page(viewer=viewer, statement=computed.a, per_page=3)
    second = statement_lines_page(viewer=viewer, statement=computed.a, page=2, per_page=3)
    assert [g.label for g in first.groups] == ["P:r1", "P:r2", "P:r3"] and first.page.paginator.count == 4
    assert [g.label for g in second.groups] == ["P:r4"]
    assert sum(len(g.lines) for g in first.groups + second.groups) == computed.a.lines.count()
    r4 = computed.ledger.recipients["P:r4"]
    assert statement_lines_page(viewer=viewer, statement=computed.a, recipient_id=r4, per_page=3).page.number == 2
    found = statement_lines_page(viewer=viewer, statement=computed.a, query="p:R2")
    assert [g.label for g in found.groups] == ["P:r2"]
    html = client_for(computed.world.controller).get(_detail(computed.a) + "?q=r3").content.decode()
    assert "P:r3" in html and "P:r1" not in html
    html = client_for(computed.world.controller).get(_detail(computed.a) + "?q=nobody").content.decode()
    assert _sv("No recipient on the statement matches the search.") in html
