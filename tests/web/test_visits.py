"""The visit pages: /visits/ with its filters and paging, a recipient's visits of a month, and
a visit delivery's batch facts and row report (CSV and Excel).

Provider B never sees provider A's visits; a board viewer, who reads no care data, gets a 404.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.files import ORG_A, ORG_B, csv_bytes
from tests.web.fixtures import populate
from tillit.deliveries.models import Delivery
from tillit.ledger.services import visit_delivery_load

HEADER = [
    "visit_id", "provider_org_number", "unit_code", "recipient_id", "staff_id", "planned_start", "planned_end",
    "registered_start", "registered_end", "intervention_codes", "double_staffing", "status", "registration_method",
]
# March 2024: provider A has 60 visits (two a day on days 1-30), provider B 3; February has one of A's.
A_MARCH, B_MARCH = 60, 3


def _a_visits() -> list[list[str]]:
    rows = []
    for day in range(1, 31):
        date = f"2024-03-{day:02d}"
        for hour, staff in ((7, "S1"), (12, "S2")):
            start, end = f"{date} {hour:02d}:00", f"{date} {hour:02d}:30"
            registered = [f"{date} {hour:02d}:05", f"{date} {hour:02d}:25"]  # 20 minutes
            status, method = "", "nfc"
            if (day, hour) == (3, 7):
                registered = [f"{date} 07:45", f"{date} 08:05"]  # 45 minutes late
            elif (day, hour) == (4, 7):
                registered = [f"{date} 06:20", f"{date} 06:40"]  # 40 minutes early
            elif (day, hour) == (5, 12):
                registered = [f"{date} 12:02", ""]  # no registered end
            elif (day, hour) == (6, 12):
                registered, status, method = ["", ""], "avböjd", ""  # declined by the customer
            rows.append([f"a-{day}-{hour}", ORG_A, "U-a", "P:a-kund", staff, start, end, *registered, "MORG", "", status,
                         method])
    rows.append(["a-feb", ORG_A, "U-a", "P:a-kund", "S1", "2024-02-28 07:00", "2024-02-28 07:30",
                 "2024-02-28 07:00", "2024-02-28 07:30", "MORG", "", "", "app"])
    return rows


def _b_visits() -> list[list[str]]:
    return [
        [f"b-{day}", ORG_B, "U-b", "P:b-kund", "S9", f"2024-03-{day:02d} 09:00", f"2024-03-{day:02d} 09:30",
         f"2024-03-{day:02d} 09:00", f"2024-03-{day:02d} 09:40", "MORG", "ja" if day == 1 else "", "", "app"]
        for day in (1, 2, 3)
    ]


def load_visits(tmp_path: Path, rows: list[list[str]], name: str = "besok.csv", **options) -> Delivery:
    path = tmp_path / name
    path.write_bytes(csv_bytes(HEADER, rows))
    return visit_delivery_load(actor=None, path=path, file_name=name, provider=None, **options).delivery


@pytest.fixture
def visits(world, tmp_path):
    things = populate(world)
    delivery = load_visits(tmp_path, _a_visits() + _b_visits())
    assert delivery.status == Delivery.Status.LOADED, list(delivery.issues.values_list("row", "reason"))
    return things


def _page(client, **params):
    response = client.get(reverse("visit-list"), params)
    assert response.status_code == 200
    return response


def _ids(response) -> set[str]:
    return {row["visit_id"] for row in response.context["rows"]}


def test_the_controller_sees_every_providers_visits_of_the_latest_month(world, visits):
    response = _page(client_for(world.controller))
    assert str(response.context["month"]) == "2024-03"
    assert response.context["total"] == A_MARCH + B_MARCH
    assert len(response.context["rows"]) == 50
    html = response.content.decode()
    assert "Omsorg A AB" in html
    # The recipient links to their page, for the month shown.
    assert reverse("recipient-detail", args=[visits["a"].recipient.pk]) + "?month=2024-03" in html
    # Late and early beyond the margin are marked.
    late = next(row for row in response.context["rows"] if row["visit_id"] == "a-3-7")
    early = next(row for row in response.context["rows"] if row["visit_id"] == "a-4-7")
    assert (late["start_deviation"], late["timing"]) == (45, "late")
    assert (early["start_deviation"], early["timing"]) == (-40, "early")


def test_the_month_picker_shows_the_months_of_the_ledger(world, visits):
    client = client_for(world.controller)
    response = _page(client, month="2024-02")
    assert response.context["total"] == 1 and _ids(response) == {"a-feb"}
    assert [value for value, _first in response.context["months"]] == ["2024-03", "2024-02"]
    empty = _page(client, month="2023-01")
    assert empty.context["total"] == 0 and not empty.context["in_ledger"]
    assert _page(client, month="not-a-month").context["month"].month == 3


def test_paging_keeps_the_filters(world, visits):
    client = client_for(world.controller)
    first = _page(client, provider=world.provider_a.pk)
    assert first.context["total"] == A_MARCH and first.context["pages"] == 2
    html = first.content.decode()
    assert f"provider={world.provider_a.pk}" in html and "page=2" in html
    second = _page(client, provider=world.provider_a.pk, page=2)
    assert len(second.context["rows"]) == A_MARCH - 50
    assert not _ids(first) & _ids(second)
    assert all(row["provider_id"] == world.provider_a.pk for row in second.context["rows"])
    # A page past the end shows the last page, not an error.
    assert _ids(_page(client, provider=world.provider_a.pk, page=99)) == _ids(second)


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "declined"}, {"a-6-12"}),
        ({"timing": "late"}, {"a-3-7"}),
        ({"timing": "early"}, {"a-4-7"}),
        ({"no_end": "1"}, {"a-5-12"}),
        ({"staff": "S9"}, {"b-1", "b-2", "b-3"}),
        ({"unit": "U-b"}, {"b-1", "b-2", "b-3"}),
        ({"staff": "S2", "status": "declined"}, {"a-6-12"}),
        ({"intervention": "XYZ"}, set()),
    ],
)
def test_filters_narrow_the_visits(world, visits, params, expected):
    if "unit" in params:
        params = {**params, "unit": visits[params["unit"][-1]].unit.pk}
    response = _page(client_for(world.controller), **params)
    assert _ids(response) == expected
    assert response.context["total"] == len(expected)


def test_filters_by_intervention_staff_and_recipient(world, visits):
    client = client_for(world.controller)
    assert _page(client, intervention="MORG").context["total"] == A_MARCH + B_MARCH
    assert _page(client, staff="S1").context["total"] == 30
    by_recipient = _page(client, recipient=visits["b"].recipient.pk)
    assert _ids(by_recipient) == {"b-1", "b-2", "b-3"}
    assert by_recipient.context["chosen_recipient"].text == "P:b-kund"


def test_a_recipient_is_found_by_post_and_the_address_has_only_the_surrogate_id(world, visits):
    client = client_for(world.controller)
    response = client.post(reverse("visit-list"), {"q": "P:b-kund", "month": "2024-03", "status": "performed"})
    assert response.status_code == 302
    assert "P:b-kund" not in response["Location"] and "b-kund" not in response["Location"]
    assert f"recipient={visits['b'].recipient.pk}" in response["Location"] and "status=performed" in response["Location"]
    assert _ids(client.get(response["Location"])) == {"b-1", "b-2", "b-3"}
    # An unknown id says so and drops the recipient filter.
    missing = client.post(reverse("visit-list"), {"q": "P:nobody", "recipient": visits["b"].recipient.pk}, follow=True)
    assert missing.context["total"] == A_MARCH + B_MARCH
    assert "No recipient that you may see" in missing.content.decode() or "Ingen brukare" in missing.content.decode()


def test_provider_b_sees_only_its_own_visits(world, visits):
    client = client_for(world.user_b)
    response = _page(client)
    assert _ids(response) == {"b-1", "b-2", "b-3"}
    assert "a-kund" not in response.content.decode()
    # Asking for provider A's visits, unit or recipient gives nothing of A's.
    assert _page(client, provider=world.provider_a.pk).context["total"] == 0
    assert _page(client, unit=visits["a"].unit.pk).context["total"] == 0
    assert _page(client, recipient=visits["a"].recipient.pk).context["total"] == 0
    assert _page(client, month="2024-02").context["total"] == 0
    # The POST search does not find A's recipient either.
    found = client.post(reverse("visit-list"), {"q": "P:a-kund"})
    assert f"recipient={visits['a'].recipient.pk}" not in found["Location"]
    # A's recipient's page (with its visits) is a 404 for B.
    url = reverse("recipient-detail", args=[visits["a"].recipient.pk])
    assert client.get(url, {"month": "2024-03"}).status_code == 404
    # Provider A sees its 60.
    assert _page(client_for(world.user_a)).context["total"] == A_MARCH


def test_a_board_viewer_gets_a_404_and_no_menu_item(world, visits):
    board = client_for(world.board)
    assert board.get(reverse("visit-list")).status_code == 404
    assert board.post(reverse("visit-list"), {"q": "P:a-kund"}).status_code == 404
    assert reverse("visit-list") not in board.get(reverse("start")).content.decode()
    assert 'href="/visits/"' in client_for(world.controller).get(reverse("start")).content.decode()
    assert client_for(world.finance).get(reverse("visit-list")).status_code == 200


def test_the_visits_page_without_a_ledger_says_so(world):
    response = _page(client_for(world.controller))
    assert response.context["total"] == 0 and not response.context["in_ledger"]


def test_the_recipient_page_lists_the_months_visits_and_performed_time(world, visits):
    client = client_for(world.controller)
    response = client.get(reverse("recipient-detail", args=[visits["a"].recipient.pk]), {"month": "2024-03"})
    assert response.status_code == 200
    assert {row["visit_id"] for row in response.context["visits"]} == {
        f"a-{day}-{hour}" for day in range(1, 31) for hour in (7, 12)
    }
    # 58 performed visits with an end, 20 minutes each; granted: 15 minutes a day for 31 days.
    assert response.context["performed_total"] == 58 * 20
    assert response.context["granted_total"] == 15 * 31
    html = response.content.decode()
    assert reverse("visit-list") + f"?month=2024-03&amp;recipient={visits['a'].recipient.pk}" in html
    # Double staffing counts per staff member (b-1 has two staff for 40 minutes).
    b = client.get(reverse("recipient-detail", args=[visits["b"].recipient.pk]), {"month": "2024-03"})
    assert b.context["performed_total"] == 40 * 2 + 40 + 40
    # Another month: the section says there are none.
    april = client.get(reverse("recipient-detail", args=[visits["a"].recipient.pk]), {"month": "2024-04"})
    assert april.context["visits"] == []


def test_provider_a_sees_its_recipients_visits_on_the_recipient_page(world, visits):
    response = client_for(world.user_a).get(
        reverse("recipient-detail", args=[visits["a"].recipient.pk]), {"month": "2024-03"}
    )
    assert response.status_code == 200
    assert len(response.context["visits"]) == A_MARCH


def test_a_visit_delivery_shows_its_batch(world, visits, tmp_path):
    client = client_for(world.controller)
    again = load_visits(tmp_path, [
        ["b-1", ORG_B, "U-b", "P:b-kund", "S9", "2024-03-01 09:00", "2024-03-01 09:30", "2024-03-01 09:00",
         "2024-03-01 09:35", "MORG", "", "", "app"],
    ], name="besok-igen.csv")
    assert again.status == Delivery.Status.LOADED
    detail = client.get(reverse("delivery-detail", args=[again.pk]))
    assert detail.status_code == 200
    batch = detail.context["batch"]
    assert (batch.rows, batch.superseded, batch.retired, batch.state) == (1, 1, 0, "active")
    html = detail.content.decode()
    assert "2024-03-01 – 2024-03-31" in html
    listing = client.get(reverse("delivery-list"), {"kind": "visits"})
    assert listing.status_code == 200
    assert "2024-03-01" in listing.content.decode()
    assert again.checksum[:12] in listing.content.decode()
    # Provider A does not see B's delivery.
    assert client_for(world.user_a).get(reverse("delivery-detail", args=[again.pk])).status_code == 404


def test_the_row_report_downloads_as_excel_with_formulas_neutralised(world, visits, tmp_path):
    rows = [
        ["x-1", ORG_A, "U-a", "P:a-kund", "S1", "2024-03-10 07:00", "2024-03-10 07:30", "", "", "=1+2", "", "", ""],
        ["x-2", ORG_A, "U-a", "P:a-kund", "S1", "2024-03-11 07:00", "2024-03-10 07:30", "", "", "MORG", "", "", ""],
        ["x-3", ORG_A, "U-a", "P:a-kund", "S1", "2024-03-12 07:00", "2024-03-12 07:30", "", "", "MORG", "", "", ""],
    ]
    delivery = load_visits(tmp_path, rows, name="fel.csv")
    assert delivery.status == Delivery.Status.PENDING
    issues = list(delivery.issues.values_list("row", "column", "value"))
    assert issues
    client = client_for(world.controller)
    detail = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert reverse("delivery-report-xlsx", args=[delivery.pk]) in detail

    response = client.get(reverse("delivery-report-xlsx", args=[delivery.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"leverans-{delivery.pk}-rapport.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 1 + len(issues)
    assert [row[0] for row in table[1:]] == [row for row, _column, _value in issues]
    values = [row[2] for row in table[1:]]
    assert "'=1+2" in values  # shown as text, never run
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row[1:4] if cell.value)
    # The CSV says the same.
    text = client.get(reverse("delivery-report", args=[delivery.pk])).content.decode("utf-8-sig")
    assert "'=1+2" in text
    # Another provider's user gets a 404 for both.
    assert client_for(world.user_b).get(reverse("delivery-report-xlsx", args=[delivery.pk])).status_code == 404


def test_the_pages_are_swedish(world, visits):
    html = client_for(world.controller).get(reverse("visit-list")).content.decode()
    assert "Besök" in html and "Planerad" in html and "mars 2024" in html
    assert "Planned" not in html


def test_the_visit_list_reads_one_page(world, visits, django_assert_max_num_queries):
    """The page asks the ledger once for its rows; the database for names of those rows only."""
    client = client_for(world.controller)
    with django_assert_max_num_queries(25):
        client.get(reverse("visit-list"))


def test_dates_and_times_are_local(world, visits):
    row = next(r for r in _page(client_for(world.controller)).context["rows"] if r["visit_id"] == "a-3-7")
    assert row["planned_start"] == datetime.datetime(2024, 3, 3, 7, 0)
    assert row["registered_start"] == datetime.datetime(2024, 3, 3, 7, 45)
