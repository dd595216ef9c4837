"""The visits API: deliver with a token, follow the delivery, read the ledger — own data only.

Provider B's token gets a 404 for every one of provider A's things, exactly as for a thing
that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.conftest import client_for
from tests.files import ORG_A, ORG_B, csv_bytes
from tillit.accounts.tokens import token_create, token_revoke
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_load
from tillit.ledger.models import LedgerMonth

API = "/api/v1"
HEADER = [
    "visit_id", "provider_org_number", "unit_code", "recipient_id", "staff_id",
    "planned_start", "planned_end", "registered_start", "registered_end",
    "intervention_codes", "double_staffing", "status", "registration_method",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _load(world, kind: str, header: list[str], rows: list[list[str]]) -> None:
    delivery = delivery_load(
        actor=world.controller, kind=kind, content=csv_bytes(header, rows), file_name=f"{kind}.csv"
    ).delivery
    assert delivery.status == Delivery.Status.LOADED, list(delivery.issues.values_list("row", "column", "reason"))


@dataclass
class Tokens:
    a: str
    b: str
    controller: str
    finance: str


@pytest.fixture
def tokens(world) -> Tokens:
    """A catalogue, a unit per provider, two recipients; and a token for each persona."""
    _load(world, "interventions", ["code", "name", "category", "minutes", "valid_from"],
          [["MORG", "Morgonhjälp", "omvardnad", "15", "2020-01-01"], ["DUSCH", "Dusch", "omvardnad", "40", "2020-01-01"]])
    _load(world, "units", ["provider_org_number", "code", "name", "service_type"],
          [[ORG_A, "HT-A", "Hemtjänst A", "home_care"], [ORG_B, "HT-B", "Hemtjänst B", "home_care"]])
    _load(world, "recipients", ["recipient_id", "birth_date"], [["P:r1", "1935-02-11"], ["P:r2", "1938-07-21"]])
    return Tokens(
        a=token_create(actor=None, user=world.user_a, name="Tidsregistrering A")[1],
        b=token_create(actor=None, user=world.user_b, name="Tidsregistrering B")[1],
        controller=token_create(actor=None, user=world.controller, name="Ärendesystem")[1],
        finance=token_create(actor=None, user=world.finance, name="Ekonomi")[1],
    )


def visit(visit_id: str, org: str = ORG_A, start: str = "2024-05-06 08:00", end: str = "2024-05-06 08:30",
          **fields: str) -> list[str]:
    row = {
        "visit_id": visit_id, "provider_org_number": org, "unit_code": "HT-B" if org == ORG_B else "HT-A",
        "recipient_id": "P:r1", "staff_id": "S1", "planned_start": start, "planned_end": end,
        "registered_start": start, "registered_end": end, "intervention_codes": "MORG",
        "double_staffing": "", "status": "", "registration_method": "nfc", **fields,
    }
    return [row[name] for name in HEADER]


def visits_file(*rows: list[str]) -> bytes:
    return csv_bytes(HEADER, rows)


def _headers(token: str | None) -> dict[str, str]:
    """Messages in English for the assertions; without Accept-Language they are Swedish."""
    return {"Accept-Language": "en", **({"Authorization": f"Bearer {token}"} if token else {})}


def get(token: str | None, path: str, **params: Any) -> Any:
    return Client().get(API + path, params, headers=_headers(token))


def post(token: str | None, path: str, data: Any = None, **kw: Any) -> Any:
    if data is None:  # a bare POST, as `curl -X POST` sends it
        return Client().generic("POST", API + path, b"", headers=_headers(token))
    return Client().post(API + path, data, headers=_headers(token), **kw)


def deliver(token: str, content: bytes, name: str = "besok.csv", **fields: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    data.update({key: str(value).lower() for key, value in fields.items()})
    return post(token, "/visits/deliveries", data)


def visit_ids(token: str, month: str = "2024-05", **params: Any) -> list[str]:
    response = get(token, "/visits", month=month, **params)
    assert response.status_code == 200, response.content
    return [item["visit_id"] for item in response.json()["items"]]


# --- authentication --------------------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_401(world, tokens):
    for token in (None, "tlt_" + "x" * 40, "not-a-token"):
        response = get(token, "/visits/deliveries")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
        assert response["WWW-Authenticate"] == "Bearer"
    assert deliver(None, visits_file(visit("V1"))).status_code == 401  # type: ignore[arg-type]
    assert get(None, "/visits", month="2024-05").status_code == 401
    # A session is not an API credential: a logged-in browser still needs a token.
    assert client_for(world.controller).get(API + "/visits/deliveries").status_code == 401
    assert not Delivery.objects.filter(kind="visits").exists()


def test_a_revoked_token_is_401(world, tokens):
    token, plaintext = token_create(actor=None, user=world.user_a, name="Kortlivad")
    assert get(plaintext, "/visits/deliveries").status_code == 200
    token_revoke(actor=world.admin, token=token)
    assert get(plaintext, "/visits/deliveries").status_code == 401
    assert deliver(plaintext, visits_file(visit("V1"))).status_code == 401


# --- delivering ------------------------------------------------------------------------------


def test_a_provider_token_delivers_its_own_visits_and_only_it_reads_them(world, tokens):
    # The file may leave the provider out: the token says whose visits they are.
    response = deliver(tokens.a, visits_file(visit("V1"), visit("V2", org="", start="2024-05-07 09:00", end="2024-05-07 09:40")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "loaded" and body["rows_read"] == 2 and body["rows_accepted"] == 2
    assert body["rows_rejected"] == 0 and body["provider_org_number"] == ORG_A
    assert body["complete"] is False and body["already_delivered"] is False
    assert body["outcome"]["visits"] == 2
    assert body["links"]["self"] == f"{API}/visits/deliveries/{body['id']}"
    assert body["links"]["issues"] == f"{API}/visits/deliveries/{body['id']}/issues"
    assert Delivery.objects.get(pk=body["id"]).delivered_by == world.user_a

    assert visit_ids(tokens.a) == ["V1", "V2"]
    assert visit_ids(tokens.controller) == ["V1", "V2"]
    assert visit_ids(tokens.b) == []
    assert get(tokens.b, "/visits", month="2024-05").json()["total"] == 0
    # B cannot name A to get around the scope: A is "not found" for B.
    assert get(tokens.b, "/visits", month="2024-05", provider_org_number=ORG_A).status_code == 404
    assert get(tokens.b, "/visits", month="2024-05", unit_code="HT-A").status_code == 404

    first = get(tokens.a, "/visits", month="2024-05").json()["items"][0]
    assert first["provider_org_number"] == ORG_A and first["unit_code"] == "HT-A"
    assert first["planned_start"] == "2024-05-06T08:00:00+02:00"  # local time with its offset
    assert first["registered_end"] == "2024-05-06T08:30:00+02:00"
    assert first["performed_minutes"] == 30 and first["intervention_codes"] == ["MORG"]
    assert first["delivery_id"] == body["id"] and first["source_row"] == 2
    assert "P:r1" not in str(first)  # surrogate ids only

    # The same file again changes nothing, and says so.
    again = deliver(tokens.a, visits_file(visit("V1"), visit("V2", org="", start="2024-05-07 09:00", end="2024-05-07 09:40")))
    assert again.status_code == 200 and again.json()["already_delivered"] is True and again.json()["id"] == body["id"]


def test_winter_times_carry_their_own_offset(tokens):
    deliver(tokens.a, visits_file(visit("W1", start="2024-01-09 07:00", end="2024-01-09 07:15")))
    item = get(tokens.a, "/visits", month="2024-01").json()["items"][0]
    assert item["planned_start"] == "2024-01-09T07:00:00+01:00"


def test_provider_b_gets_404_for_provider_as_delivery(tokens):
    delivery_id = deliver(tokens.a, visits_file(visit("V1"), visit("X1", org=ORG_B))).json()["id"]
    missing = max(Delivery.objects.values_list("pk", flat=True)) + 100
    for path in (f"/visits/deliveries/{delivery_id}", f"/visits/deliveries/{delivery_id}/issues"):
        assert get(tokens.a, path).status_code == 200
        not_yours = get(tokens.b, path)
        assert not_yours.status_code == 404
        assert not_yours.json() == get(tokens.b, path.replace(str(delivery_id), str(missing))).json()
    for action in ("accept", "reject"):
        assert post(tokens.b, f"/visits/deliveries/{delivery_id}/{action}").status_code == 404
    assert Delivery.objects.get(pk=delivery_id).status == Delivery.Status.PENDING
    assert [d["id"] for d in get(tokens.b, "/visits/deliveries").json()["items"]] == []
    assert [d["id"] for d in get(tokens.a, "/visits/deliveries").json()["items"]] == [delivery_id]
    assert [d["id"] for d in get(tokens.controller, "/visits/deliveries").json()["items"]] == [delivery_id]
    assert get(tokens.a, "/visits/deliveries", status="pending").json()["total"] == 1
    assert get(tokens.a, "/visits/deliveries", status="loaded").json()["total"] == 0


def test_another_providers_rows_in_a_providers_file_are_rejected(world, tokens):
    response = deliver(tokens.a, visits_file(visit("V1"), visit("X1", org=ORG_B), visit("X2", org=ORG_B)))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["rows_accepted"] == 0 and body["rows_rejected"] == 2
    issues = get(tokens.a, f"/visits/deliveries/{body['id']}/issues", severity="error").json()
    assert issues["total"] == 2
    assert {(i["row"], i["column"], i["value"]) for i in issues["items"]} == {
        (3, "provider_org_number", ORG_B), (4, "provider_org_number", ORG_B)
    }
    assert all("another provider" in i["reason"] for i in issues["items"])
    assert not LedgerMonth.objects.exists()  # nothing of a pending delivery is in the ledger

    accepted = post(tokens.a, f"/visits/deliveries/{body['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "loaded" and accepted.json()["rows_accepted"] == 1
    assert visit_ids(tokens.controller) == ["V1"]  # B's rows never reached the ledger
    assert visit_ids(tokens.b) == []
    # A decided delivery cannot be decided again.
    conflict = post(tokens.a, f"/visits/deliveries/{body['id']}/reject")
    assert conflict.status_code == 409 and conflict.json()["code"] == "delivery.state"


def test_a_waiting_delivery_can_be_rejected(tokens):
    body = deliver(tokens.a, visits_file(visit("V1"), visit("V2", intervention_codes="OKÄND"))).json()
    assert body["status"] == "pending"
    rejected = post(tokens.a, f"/visits/deliveries/{body['id']}/reject", {"reason": "Fel export"},
                    content_type="application/json")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "rejected" and rejected.json()["message"] == "Fel export"
    assert visit_ids(tokens.a) == []
    assert post(tokens.a, f"/visits/deliveries/{body['id']}/accept").status_code == 409


def test_accept_valid_loads_the_valid_rows_at_once(tokens):
    body = deliver(tokens.a, visits_file(visit("V1"), visit("X1", org=ORG_B)), accept_valid=True).json()
    assert body["status"] == "loaded" and body["rows_accepted"] == 1 and body["rows_rejected"] == 1
    assert visit_ids(tokens.a) == ["V1"]


def test_a_complete_delivery_retires_the_visits_it_lacks(tokens):
    deliver(tokens.a, visits_file(visit("V1"), visit("V2", start="2024-05-07 08:00", end="2024-05-07 08:30"),
                                  visit("V3", start="2024-05-08 08:00", end="2024-05-08 08:30")))
    assert visit_ids(tokens.a) == ["V1", "V2", "V3"]
    partial = deliver(tokens.a, visits_file(visit("V4", start="2024-05-09 08:00", end="2024-05-09 08:30")))
    assert partial.json()["complete"] is False
    assert visit_ids(tokens.a) == ["V1", "V2", "V3", "V4"]

    complete = deliver(tokens.a, visits_file(visit("V2", start="2024-05-07 08:05", end="2024-05-07 08:30")),
                       name="maj-komplett.csv", complete=True)
    assert complete.status_code == 201
    body = complete.json()
    assert body["complete"] is True and body["status"] == "loaded"
    assert body["outcome"] == {"visits": 1, "replaced": 1, "retired": 3}
    assert visit_ids(tokens.a) == ["V2"]
    assert get(tokens.a, f"/visits/deliveries/{body['id']}").json()["complete"] is True


def test_who_may_deliver_for_whom(world, tokens):
    # A provider's token may not deliver for another provider.
    refused = deliver(tokens.a, visits_file(visit("X1", org=ORG_B)), provider_org_number=ORG_B)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # Naming its own provider is fine.
    assert deliver(tokens.a, visits_file(visit("V1")), provider_org_number=ORG_A).status_code == 201
    # A municipal token may deliver for any provider, or let the rows say.
    response = deliver(tokens.controller, visits_file(visit("X1", org="", unit_code="HT-B")), provider_org_number=ORG_B)
    assert response.status_code == 201 and response.json()["provider_org_number"] == ORG_B
    assert response.json()["status"] == "loaded"
    both = deliver(tokens.controller, visits_file(visit("V9"), visit("X9", org=ORG_B)))
    assert both.json()["status"] == "loaded" and both.json()["provider_org_number"] is None
    unknown = deliver(tokens.controller, visits_file(visit("V1")), provider_org_number="212000-0142")
    assert unknown.status_code == 400 and unknown.json()["code"] == "provider.unknown"
    assert deliver(tokens.controller, visits_file(visit("V1")), provider_org_number="123").status_code == 400
    # A role that loads no visits may not deliver them.
    finance = deliver(tokens.finance, visits_file(visit("V1")))
    assert finance.status_code == 403
    assert visit_ids(tokens.a) == ["V1", "V9"] and visit_ids(tokens.b) == ["X1", "X9"]


def test_a_file_that_cannot_be_read_is_recorded_as_failed(tokens):
    response = deliver(tokens.a, b"this is not a visit file\n", name="fel.csv")
    assert response.status_code == 201
    assert response.json()["status"] == "failed" and response.json()["message"]
    assert response.json()["complete"] is None


def test_visit_filters_and_paging(tokens):
    deliver(tokens.a, visits_file(
        visit("V1"), visit("V2", start="2024-05-06 10:00", end="2024-05-06 10:30", status="cancelled",
                           registered_start="", registered_end="", staff_id=""),
        visit("V3", start="2024-05-06 12:00", end="2024-05-06 12:30", registered_start="2024-05-06 13:00",
              registered_end="2024-05-06 13:30"),
    ))
    assert visit_ids(tokens.a, status="cancelled") == ["V2"]
    assert visit_ids(tokens.a, timing="late") == ["V3"]
    assert visit_ids(tokens.a, unit_code="HT-A", provider_org_number=ORG_A) == ["V1", "V2", "V3"]
    first = get(tokens.a, "/visits", month="2024-05", per_page=2).json()
    assert first["total"] == 3 and first["has_next"] and len(first["items"]) == 2
    second = get(tokens.a, "/visits", month="2024-05", per_page=2, page=2).json()
    assert [i["visit_id"] for i in second["items"]] == ["V3"] and not second["has_next"]
    cancelled = next(i for i in first["items"] if i["visit_id"] == "V2")
    assert cancelled["registered_start"] is None and cancelled["performed_minutes"] is None
    assert visit_ids(tokens.a, month="2023-01") == []


def test_bad_parameters_say_what_is_wrong(tokens):
    wrong_month = get(tokens.a, "/visits", month="maj")
    assert wrong_month.status_code == 400 and wrong_month.json()["code"] == "month.invalid"
    assert "YYYY-MM" in wrong_month.json()["message"]
    swedish = Client().get(f"{API}/visits", {"month": "maj"}, headers={"Authorization": f"Bearer {tokens.a}"})
    assert "ÅÅÅÅ-MM" in swedish.json()["message"]  # Swedish unless the request asks otherwise
    missing = get(tokens.a, "/visits")
    assert missing.status_code == 422 and missing.json()["code"] == "request.invalid"
    assert get(tokens.a, "/visits", month="2024-05", per_page=5000).status_code == 422
    assert post(tokens.a, "/visits/deliveries", {}).status_code == 422  # no file
    body = deliver(tokens.a, visits_file(visit("V1"), visit("X1", org=ORG_B))).json()
    not_json = post(tokens.a, f"/visits/deliveries/{body['id']}/reject", "reason=x",
                    content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 400 and not_json.json()["code"] == "http.400"


def test_the_openapi_document_lists_the_endpoints(tokens):
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Tillit API" and document["info"]["version"] == "1"
    paths = document["paths"]
    assert set(paths[f"{API}/visits/deliveries"]) == {"get", "post"}
    assert set(paths[f"{API}/visits/deliveries/{{delivery_id}}"]) == {"get"}
    assert set(paths[f"{API}/visits/deliveries/{{delivery_id}}/issues"]) == {"get"}
    assert set(paths[f"{API}/visits/deliveries/{{delivery_id}}/accept"]) == {"post"}
    assert set(paths[f"{API}/visits/deliveries/{{delivery_id}}/reject"]) == {"post"}
    assert set(paths[f"{API}/visits"]) == {"get"}
    upload = paths[f"{API}/visits/deliveries"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert Client().get(f"{API}/docs").status_code == 200
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_api_docs_load_nothing_from_the_internet(client) -> None:
    import re

    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/") for asset in assets), assets
