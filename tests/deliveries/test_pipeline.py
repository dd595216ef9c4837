"""The delivery pipeline: idempotent loads, files that cannot be read, the pending decision
(accept the valid rows or reject the file) and the audit trail of every outcome."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.files import ORG_A, ORG_B, csv_bytes, numbers_born, separated, short, wrong_check_digit, xlsx_bytes
from tillit.audit.models import AuditEvent
from tillit.care.models import Decision, DecisionIntervention, Recipient
from tillit.common.errors import ApplicationError
from tillit.deliveries.models import Delivery, DeliveryIssue
from tillit.deliveries.services import delivery_accept, delivery_load, delivery_reject
from tillit.registry.models import Area, Provider

ORG_NEW = "802002-4256"
ORG_NEW_2 = "212000-0142"
PROVIDER_HEADER = ["org_number", "name", "regi", "service_types"]
DECISION_HEADER = ["decision_id", "recipient_id", "provider_org_number", "start_date", "end_date",
                   "intervention_code", "category", "frequency", "period", "minutes", "double_staffing"]
CATALOGUE = csv_bytes(
    ["code", "name", "category", "minutes", "valid_from"],
    [["MORG", "Morgonhjälp", "omvardnad", "15", "2020-01-01"], ["DUSCH", "Dusch", "omvardnad", "40", "2020-01-01"],
     ["STAD", "Städning", "service", "90", "2020-01-01"]],
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the user's language decides, and Swedish is the default."""
    with translation.override("en"):
        yield


def load(world, kind: str, content: bytes, name: str = "file.csv", **kw):
    return delivery_load(actor=world.controller, kind=kind, content=content, file_name=name, **kw)


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type))


def failed(world, content: bytes, name: str, kind: str = "providers") -> Delivery:
    """Load a file that cannot be read: one failed delivery, one message naming the file."""
    delivery = load(world, kind, content, name).delivery
    assert delivery.status == Delivery.Status.FAILED
    assert name in delivery.message
    assert delivery.issues.count() == 0
    assert Delivery.objects.filter(pk=delivery.pk).exists()
    return delivery


@pytest.fixture
def people(world) -> list[str]:
    """A catalogue and three registered recipients (Skatteverket test numbers)."""
    assert load(world, "interventions", CATALOGUE).delivery.status == Delivery.Status.LOADED
    numbers = numbers_born("1945", 3)
    content = csv_bytes(["recipient_id"], [[n] for n in numbers])
    assert load(world, "recipients", content, "brukare.csv").delivery.status == Delivery.Status.LOADED
    return numbers


def decision_rows(numbers: list[str]) -> list[list[str]]:
    first, second, third = numbers
    return [
        ["B-1", first, ORG_A, "2024-03-01", "", "MORG", "", "2", "dag", "", ""],
        ["B-1", first, ORG_A, "2024-03-01", "", "DUSCH", "", "1,5", "vecka", "45,5", "ja"],
        ["B-2", second, ORG_B, "2024-01-15", "2024-12-31", "STAD", "service", "2", "månad", "", ""],
        ["B-3", third, ORG_A, "2024-02-01", "", "MORG", "", "1", "dag", "", ""],
    ]


# --- loading, outcome and audit -------------------------------------------------------------------


def test_a_load_records_its_outcome_the_stored_file_and_one_audit_event(world) -> None:
    content = csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Ny omsorg AB", "privat", "hemtjänst"],
                                          [ORG_A, "Omsorg A AB", "private", "home_care"]])
    result = load(world, "providers", content, "uploads/utforare.csv", organisation=world.municipality)

    delivery = result.delivery
    assert (result.loaded, result.already_delivered) == (True, False)
    assert (delivery.kind, delivery.file_name, delivery.size) == ("providers", "utforare.csv", len(content))
    assert (delivery.encoding, delivery.delimiter) == ("utf-8-sig", ";")
    assert (delivery.rows_read, delivery.rows_accepted, delivery.rows_rejected) == (2, 2, 0)
    assert delivery.outcome == {"created": 1, "updated": 0, "unchanged": 1}
    assert (delivery.delivered_by, delivery.decided_by, delivery.organisation) == (
        world.controller, world.controller, world.municipality,
    )
    assert (Path(django_settings.UPLOAD_DIR) / delivery.stored_path).read_bytes() == content
    [event] = events("delivery.loaded.providers")
    assert (event.actor, event.target_id, event.organisation) == (world.controller, str(delivery.pk), world.municipality)
    assert event.new_values == {"file": "utforare.csv", "rows": 2, "created": 1, "updated": 0, "unchanged": 1}


def test_an_unknown_kind_is_an_application_error(world) -> None:
    with pytest.raises(ApplicationError, match="providers"):
        load(world, "invoices", b"a;b\n1;2\n")
    assert Delivery.objects.count() == 0


# --- idempotency ----------------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing_and_says_so(world, people) -> None:
    content = csv_bytes(DECISION_HEADER, decision_rows(people))
    first = load(world, "decisions", content, "beslut.csv")
    assert first.delivery.outcome == {"created": 3, "updated": 0, "unchanged": 0}
    deliveries, audit = Delivery.objects.count(), AuditEvent.objects.count()
    lines = list(DecisionIntervention.objects.order_by("pk").values_list("pk", "frequency"))
    stamps = list(Decision.objects.order_by("pk").values_list("updated_at", flat=True))

    second = load(world, "decisions", content, "beslut-igen.csv")

    assert second.already_delivered is True
    assert second.delivery.pk == first.delivery.pk
    assert (Delivery.objects.count(), AuditEvent.objects.count()) == (deliveries, audit)
    assert list(DecisionIntervention.objects.order_by("pk").values_list("pk", "frequency")) == lines
    assert list(Decision.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_the_same_rows_in_another_file_are_a_new_delivery_with_nothing_changed(world, people) -> None:
    rows = decision_rows(people)
    load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut.csv")
    lines = sorted(DecisionIntervention.objects.values_list("pk", flat=True))

    # Shuffled columns, rows in another order, comma delimiter, other spellings of the same values.
    order = [10, 7, 5, 0, 1, 2, 3, 4, 6, 8, 9]
    header = [DECISION_HEADER[i] for i in order]
    respelled = [list(row) for row in reversed(rows)]
    respelled[0][1] = short(respelled[0][1])  # YYMMDD-NNNN for the same person
    respelled[1][1] = separated(respelled[1][1])
    respelled[2][8] = "week"
    respelled[2][9] = "45.5"
    respelled[2][7] = "1.5"
    shuffled = [[row[i] for i in order] for row in respelled]
    second = load(world, "decisions", csv_bytes(header, shuffled, delimiter=",", encoding="utf-8"), "beslut-kopia.csv")

    assert second.already_delivered is False
    assert second.delivery.delimiter == ","
    assert second.delivery.outcome == {"created": 0, "updated": 0, "unchanged": 3}
    assert sorted(DecisionIntervention.objects.values_list("pk", flat=True)) == lines  # not rewritten
    assert Delivery.objects.filter(kind="decisions").count() == 2


def test_the_same_pending_file_twice_is_the_same_waiting_delivery(world) -> None:
    content = csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Ny omsorg AB", "private", "home_care"],
                                          ["556036-0794", "Fel AB", "private", "home_care"]])
    first = load(world, "providers", content).delivery
    second = load(world, "providers", content, "igen.csv")
    assert second.already_delivered and second.delivery.pk == first.pk
    assert second.delivery.status == Delivery.Status.PENDING
    assert Delivery.objects.count() == 1


def test_a_rejected_file_may_be_delivered_again(world) -> None:
    content = csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Ny omsorg AB", "private", "home_care"],
                                          ["556036-0794", "Fel AB", "private", "home_care"]])
    first = load(world, "providers", content).delivery
    delivery_reject(actor=world.controller, delivery=first)
    again = load(world, "providers", content, accept_valid=True)
    assert not again.already_delivered and again.delivery.pk != first.pk
    assert again.loaded and Provider.objects.filter(org_number=ORG_NEW).exists()


# --- files that cannot be read: one structural message ---------------------------------------------


def test_a_missing_required_column_is_named_in_english_and_swedish(world) -> None:
    content = csv_bytes(["Organisationsnummer", "Namn", "Regi"], [[ORG_NEW, "Ny omsorg AB", "privat"]])
    delivery = failed(world, content, "utforare.csv")
    assert "service_types (verksamhet)" in delivery.message
    assert "org_number (" not in delivery.message  # the present columns are not called missing
    [event] = events("delivery.failed.providers")
    assert event.new_values == {"file": "utforare.csv", "message": delivery.message}
    assert events("delivery.loaded.providers") == []
    assert not Provider.objects.filter(org_number=ORG_NEW).exists()


def test_in_swedish_the_messages_are_swedish_and_still_name_file_columns_and_rows(world) -> None:
    with translation.override("sv"):  # the default language
        missing = load(world, "providers", csv_bytes(["org_number", "namn"], [[ORG_NEW, "X"]]), "utforare.csv").delivery
        waiting = load(world, "providers", csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "X", "privat", "ambulans"]])).delivery
    english = "lacks the required columns"
    assert english not in missing.message
    assert "utforare.csv" in missing.message and "regi (regi)" in missing.message and "service_types (verksamhet)" in missing.message
    [issue] = waiting.issues.all()
    assert (issue.row, issue.column, issue.value) == (2, "service_types", "ambulans")
    assert "ambulans" in issue.reason and "is not a service type" not in issue.reason


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b";;;\r\n"], ids=["0 bytes", "blank lines", "BOM only", "delimiters"])
def test_an_empty_file_fails(world, content: bytes) -> None:
    delivery = failed(world, content, "tom.csv")
    assert "empty" in delivery.message


def test_a_file_with_only_a_header_loads_nothing_and_says_so(world) -> None:
    result = load(world, "providers", csv_bytes(PROVIDER_HEADER), "rubriker.csv")
    delivery = result.delivery
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_read, delivery.outcome) == (0, {"created": 0, "updated": 0, "unchanged": 0})
    assert "rubriker.csv" in delivery.message and "no rows" in delivery.message


def test_a_png_renamed_to_csv_fails(world) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    delivery = failed(world, png, "brukare.csv", kind="recipients")
    assert "not a CSV or Excel file" in delivery.message and "image" in delivery.message
    assert events("delivery.failed.recipients")


def test_a_zip_bomb_renamed_to_xlsx_is_refused_before_unpacking(world) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (2 * 1024 * 1024))  # 12 MiB of the same
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    delivery = failed(world, bomb, "utforare.xlsx")
    assert "unpacks to more than" in delivery.message


def test_utf16_text_is_not_read_as_csv(world) -> None:
    content = csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Åby omsorg", "privat", "hemtjänst"]], encoding="utf-16")
    delivery = failed(world, content, "unicode.txt")
    assert "not a CSV or Excel file" in delivery.message


def test_a_damaged_utf8_file_fails_naming_the_row(world) -> None:
    content = (
        csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Åby omsorg AB", "privat", "hemtjänst"]], encoding="utf-8")
        + "212000-0142;Älvdalens omsorg;kommunal;hemtjänst\r\n".encode("cp1252")
    )
    delivery = failed(world, content, "blandat.csv")
    assert "Row 3" in delivery.message and "UTF-8" in delivery.message
    assert Provider.objects.filter(org_number=ORG_NEW).count() == 0


def test_a_file_that_is_neither_utf8_nor_windows_1252_fails(world) -> None:
    # 0x81 and 0x9D are undefined in Windows-1252 (and invalid on their own in UTF-8).
    content = b"org_number;name;regi;service_types\r\n802002-4256;Omsorg \x81\x9d AB;privat;hemtj\x84nst\r\n"
    delivery = failed(world, content, "okand-kodning.csv")
    assert "Windows-1252" in delivery.message and "Row 2" in delivery.message


def test_a_windows_1252_file_from_excel_is_read_correctly(world) -> None:
    content = csv_bytes(
        PROVIDER_HEADER + ["IVO-tillstånd"],
        [[ORG_NEW, "Åkerö Äldreomsorg i Östhammar AB", "idéburen", "hemtjänst|särskilt boende", "IVO 8.1–2/2020"]],
        encoding="cp1252",
    )
    delivery = load(world, "providers", content, "utforare.csv").delivery
    assert delivery.status == Delivery.Status.LOADED
    assert delivery.encoding == "cp1252"
    provider = Provider.objects.get(org_number=ORG_NEW)
    assert (provider.name, provider.regi, provider.service_types, provider.ivo_permit) == (
        "Åkerö Äldreomsorg i Östhammar AB", "nonprofit", ["home_care", "nursing_home"], "IVO 8.1–2/2020",
    )


@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"], ids=["BOM", "no BOM"])
def test_delimiters_bom_and_decimal_comma(world, people, delimiter: str, encoding: str) -> None:
    content = csv_bytes(DECISION_HEADER, decision_rows(people), delimiter=delimiter, encoding=encoding)
    delivery = load(world, "decisions", content, "beslut.csv").delivery

    assert delivery.status == Delivery.Status.LOADED, list(delivery.issues.values_list("reason", flat=True))
    assert (delivery.delimiter, delivery.encoding) == (delimiter, encoding)
    assert delivery.outcome == {"created": 3, "updated": 0, "unchanged": 0}
    shower = DecisionIntervention.objects.get(intervention__code="DUSCH")
    assert (str(shower.frequency.normalize()), str(shower.minutes.normalize())) == ("1.5", "45.5")


def test_unknown_columns_are_ignored_and_reported_once(world) -> None:
    content = csv_bytes(PROVIDER_HEADER + ["Kommentar", "kommentar "], [[ORG_NEW, "Ny AB", "private", "home_care", "x", "y"]])
    delivery = load(world, "providers", content).delivery
    assert delivery.status == Delivery.Status.LOADED
    assert delivery.unknown_columns == ["Kommentar", "kommentar"]


def test_an_excel_workbook_with_swedish_headers_loads(world) -> None:
    content = xlsx_bytes(
        ["Organisationsnummer", "Namn", "Regi", "Verksamhet"],
        [[ORG_NEW, "Ny omsorg AB", "Privat", "Hemtjänst"], [int(ORG_NEW_2.replace("-", "")), "Kommunen", "kommunal", "särskilt boende"]],
    )
    delivery = load(world, "providers", content, "utforare.xlsx").delivery
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.encoding, delivery.delimiter) == ("", "")
    assert delivery.outcome == {"created": 2, "updated": 0, "unchanged": 0}
    assert Provider.objects.get(org_number=ORG_NEW_2).service_types == ["nursing_home"]


# --- the row report ------------------------------------------------------------------------------


def test_the_row_report_never_holds_a_full_identity_number(world) -> None:
    known, stranger, misplaced = numbers_born("1945", 3)
    centenarian = numbers_born("1920")[0]
    rows = [
        [known, ""],
        [separated(known), ""],  # the same person twice
        [short(wrong_check_digit(stranger)), ""],
        ["P:abc", separated(misplaced)],  # a number in the birth-date column
        [short(centenarian, "+"), "", centenarian],  # a stray cell beyond the header
    ]
    delivery = load(world, "recipients", csv_bytes(["recipient_id", "birth_date"], rows), "brukare.csv").delivery

    assert delivery.status == Delivery.Status.PENDING
    assert list(delivery.issues.values_list("row", "column")) == [(3, "recipient_id"), (4, "recipient_id"), (5, "birth_date"), (6, "")]
    report = " ".join(f"{i.column} {i.value} {i.reason}" for i in delivery.issues.all())
    for number in (known, stranger, misplaced, centenarian):
        for form in (number, separated(number), number[2:], short(number), short(number, "+")):
            assert form not in report
    assert f"{known[:8]}-****" in report
    assert f"{misplaced[:8]}-****" in report  # enough to find the row


def test_organisation_numbers_in_the_report_stay_readable(world) -> None:
    content = csv_bytes(["provider_org_number", "code", "name", "service_type"], [[ORG_NEW, "X", "X", "home_care"]])
    delivery = load(world, "units", content).delivery
    [issue] = delivery.issues.all()
    assert issue.value == ORG_NEW and ORG_NEW in issue.reason


# --- waiting for a decision: accept the valid rows, or reject the file ---------------------------------


@pytest.fixture
def pending(world) -> Delivery:
    """A providers file with one bad row among good ones."""
    content = csv_bytes(
        PROVIDER_HEADER,
        [[ORG_NEW, "Ny omsorg AB", "privat", "hemtjänst"],
         [ORG_NEW_2, "Kommunen", "kommunal", "hemtjänst|ambulans"],
         [ORG_B, "Omsorg B AB (nytt namn)", "private", "home_care|nursing_home"]],
    )
    delivery = load(world, "providers", content, "utforare.csv").delivery
    assert delivery.status == Delivery.Status.PENDING
    return delivery


def test_a_file_with_a_bad_row_waits_and_writes_nothing(world, pending) -> None:
    assert Provider.objects.count() == 2  # only the world's
    assert Provider.objects.get(org_number=ORG_B).name == "Omsorg B AB"
    assert (pending.rows_read, pending.rows_rejected, pending.rows_accepted, pending.outcome) == (3, 1, 0, {})
    [issue] = pending.issues.all()
    assert (issue.row, issue.column, issue.value, issue.severity) == (3, "service_types", "hemtjänst|ambulans", "error")
    assert "ambulans" in issue.reason and "home_care" in issue.reason
    assert events("delivery.loaded.providers") == []
    [event] = events("delivery.pending.providers")
    assert event.new_values == {"file": "utforare.csv", "rejected": 1}


def test_accepting_loads_the_valid_rows(world, pending) -> None:
    delivery = delivery_accept(actor=world.admin, delivery=pending)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_accepted, delivery.rows_rejected) == (2, 1)
    assert delivery.outcome == {"created": 1, "updated": 1, "unchanged": 0}
    assert (delivery.decided_by, delivery.delivered_by) == (world.admin, world.controller)
    assert delivery.decided_at is not None
    assert Provider.objects.filter(org_number=ORG_NEW).exists()
    assert not Provider.objects.filter(org_number=ORG_NEW_2).exists()
    assert Provider.objects.get(org_number=ORG_B).name == "Omsorg B AB (nytt namn)"
    assert DeliveryIssue.objects.filter(delivery=delivery).count() == 1  # the report is kept
    [event] = events("delivery.loaded.providers")
    assert (event.actor, event.target_id) == (world.admin, str(delivery.pk))
    assert event.new_values == {"file": "utforare.csv", "rows": 2, "created": 1, "updated": 1, "unchanged": 0}


def test_rejecting_writes_nothing(world, pending) -> None:
    delivery = delivery_reject(actor=world.admin, delivery=pending, reason="Fel fil")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.message, delivery.decided_by) == (Delivery.Status.REJECTED, "Fel fil", world.admin)
    assert Provider.objects.count() == 2
    assert events("delivery.loaded.providers") == []
    [event] = events("delivery.rejected.providers")
    assert event.new_values == {"file": "utforare.csv", "reason": "Fel fil"}


def test_only_a_waiting_delivery_can_be_accepted_or_rejected(world, pending) -> None:
    delivery_accept(actor=world.admin, delivery=pending)
    with pytest.raises(ApplicationError, match="not waiting"):
        delivery_accept(actor=world.admin, delivery=pending)
    with pytest.raises(ApplicationError, match="not waiting"):
        delivery_reject(actor=world.admin, delivery=pending)
    assert len(events("delivery.loaded.providers")) == 1

    rejected = load(world, "providers", csv_bytes(PROVIDER_HEADER, [["1", "x", "private", "home_care"]]), "b.csv").delivery
    delivery_reject(actor=world.admin, delivery=rejected)
    with pytest.raises(ApplicationError):
        delivery_accept(actor=world.admin, delivery=rejected)
    assert Delivery.objects.get(pk=rejected.pk).status == Delivery.Status.REJECTED


def test_accept_valid_loads_at_once_and_keeps_the_report(world) -> None:
    content = csv_bytes(PROVIDER_HEADER, [[ORG_NEW, "Ny omsorg AB", "privat", "hemtjänst"],
                                          [ORG_NEW_2, "Kommunen", "kommunal", "ambulans"]])
    result = load(world, "providers", content, accept_valid=True)
    assert result.loaded
    assert (result.delivery.rows_accepted, result.delivery.rows_rejected) == (1, 1)
    assert list(result.delivery.issues.values_list("row", "column")) == [(3, "service_types")]
    assert Provider.objects.filter(org_number=ORG_NEW).exists()
    assert len(events("delivery.loaded.providers")) == 1


def test_accepting_checks_the_rows_against_the_registry_as_it_is_then(world) -> None:
    areas = csv_bytes(["code", "name"], [["centrum", "Centrum"]])
    units = csv_bytes(["provider_org_number", "code", "name", "service_type", "area"],
                      [[ORG_A, "HT-1", "Hemtjänst", "home_care", "centrum"], [ORG_A, "HT-2", "Hemtjänst 2", "home_care", ""]])
    waiting = load(world, "units", units).delivery
    assert waiting.status == Delivery.Status.PENDING  # the area is not registered yet
    load(world, "areas", areas)

    delivery = delivery_accept(actor=world.controller, delivery=waiting)
    assert (delivery.rows_accepted, delivery.rows_rejected) == (2, 0)
    assert delivery.issues.count() == 0
    assert Area.objects.get(code="centrum").units.count() == 1


def test_a_pending_recipients_file_writes_no_recipient(world) -> None:
    good = numbers_born("1945", 2)
    rows = [[good[0]], ["P:utan-fodelsedatum"], [good[1]]]
    delivery = load(world, "recipients", csv_bytes(["recipient_id"], rows)).delivery
    assert delivery.status == Delivery.Status.PENDING
    assert Recipient.objects.count() == 0
    delivery_accept(actor=world.controller, delivery=delivery)
    assert Recipient.objects.count() == 2


def test_identical_files_from_two_providers_are_two_deliveries(world) -> None:
    content = csv_bytes(["code", "name"], [["x1", "Område"]])
    first = delivery_load(actor=None, kind="areas", content=content, file_name="a.csv", organisation=world.provider_a.organisation)
    second = delivery_load(actor=None, kind="areas", content=content, file_name="b.csv", organisation=world.provider_b.organisation)
    assert not second.already_delivered and first.delivery.pk != second.delivery.pk
    again = delivery_load(actor=None, kind="areas", content=content, file_name="b2.csv", organisation=world.provider_b.organisation)
    assert again.already_delivered and again.delivery.pk == second.delivery.pk


def test_accepting_a_delivery_whose_file_is_gone_says_what_to_do(world, settings) -> None:
    import shutil

    content = csv_bytes(["code", "name"], [["x1", "Område"], ["", "Utan kod"]])
    delivery = delivery_load(actor=None, kind="areas", content=content, file_name="omr.csv").delivery
    assert delivery.status == Delivery.Status.PENDING
    shutil.rmtree(settings.UPLOAD_DIR)
    with pytest.raises(ApplicationError, match="deliver it again"):
        delivery_accept(actor=world.controller, delivery=delivery)


def test_a_value_longer_than_its_column_is_a_row_error_not_a_crash(world) -> None:
    content = csv_bytes(["code", "name"], [["x" * 40, "För lång kod"], ["ok", "Bra"]])
    delivery = delivery_load(actor=None, kind="areas", content=content, file_name="omr.csv").delivery
    assert delivery.status == Delivery.Status.PENDING
    issue = delivery.issues.get()
    assert (issue.row, issue.column) == (2, "code") and "at most 32" in issue.reason
