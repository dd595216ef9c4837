"""Which sets of interventions are regular care for staff continuity (engine/sql/care_sets.sql):
decided once per set, from the catalogue's kinds."""

from __future__ import annotations

import pyarrow as pa

from tillit.common.duck import connect
from tillit.engine import queries


def _regular(keys: list[str | None], kinds: dict[str, str]) -> dict[str, bool]:
    connection = connect()
    connection.register("ledger_visits", pa.table({"codes_key": pa.array(keys, pa.string())}))
    connection.register("interventions", pa.table({"code": list(kinds), "kind": list(kinds.values())}))
    return dict(connection.execute(queries.sql("care_sets")).fetchall())


def test_a_set_is_regular_care_when_it_holds_something_besides_alarm_meals_and_hsl():
    kinds = {"MORG": "regular", "LARM": "safety_alarm", "MAT": "meal_delivery", "SSK": "hsl", "SABO": "nursing_home"}
    assert _regular(["MORG", "LARM", "LARM|MORG", "LARM|MAT|SSK", "MAT", "SABO", "", None, "MORG"], kinds) == {
        "MORG": True, "LARM": False, "LARM|MORG": True, "LARM|MAT|SSK": False, "MAT": False,
        "SABO": True,  # only alarms, meals and HSL are left out
        "": False,  # a visit without interventions holds nothing regular
    }


def test_a_code_missing_from_the_catalogue_counts_as_regular():
    assert _regular(["OKÄND", "LARM|OKÄND"], {"LARM": "safety_alarm"}) == {"OKÄND": True, "LARM|OKÄND": True}


def test_no_excluded_kind_in_the_catalogue():
    assert _regular(["MORG", ""], {"MORG": "regular"}) == {"MORG": True, "": False}
