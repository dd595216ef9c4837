"""Checking delivered visits, all rows at once, in DuckDB.

Each rule of DATA-FORMATS.md and PRODUCT.md ("Local time", "Performed time") is one SELECT
below, producing row issues (row, column, value, reason, severity). An error rejects its row;
a warning keeps it and travels with the visit into quality figures. Reasons are whole
translated sentences, bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from django.utils.translation import gettext as _

from tillit.common.values import ParsedTime, resolve_ambiguous
from tillit.ledger.columns import MAX_VISIT_HOURS, OVERLAP_TOLERANCE_MINUTES

TIMES = ("planned_start", "planned_end", "registered_start", "registered_end")

# Time text → local wall-clock TIMESTAMP, or UTC for text with an offset (ISO 8601).
_MACROS = """
CREATE OR REPLACE TEMP MACRO has_offset(s) AS regexp_matches(s, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$');
-- One format at a time: try_strptime with a list of formats is ten times slower per row.
CREATE OR REPLACE TEMP MACRO local_time(s) AS CASE WHEN has_offset(s) THEN NULL ELSE coalesce(
    try_strptime(s, '%Y-%m-%d %H:%M'), try_strptime(s, '%Y-%m-%d %H:%M:%S'),
    try_strptime(s, '%Y-%m-%dT%H:%M'), try_strptime(s, '%Y-%m-%dT%H:%M:%S')) END;
CREATE OR REPLACE TEMP MACRO offset_time(s) AS CASE WHEN has_offset(s) THEN
    timezone('UTC', try_cast(s AS TIMESTAMPTZ)) END;
CREATE OR REPLACE TEMP MACRO org_digits(s) AS CASE
    WHEN length(regexp_replace(s, '[^0-9]', '', 'g')) = 12 AND starts_with(regexp_replace(s, '[^0-9]', '', 'g'), '16')
    THEN substr(regexp_replace(s, '[^0-9]', '', 'g'), 3) ELSE regexp_replace(s, '[^0-9]', '', 'g') END;
CREATE OR REPLACE TEMP MACRO org_number(s) AS CASE WHEN length(org_digits(s)) = 10
    THEN substr(org_digits(s), 1, 6) || '-' || substr(org_digits(s), 7) ELSE NULL END;
"""


def _time_columns(name: str, alias: str) -> str:
    """Both UTC readings of one time column, and whether its local time is in the gap or the fold.

    PRODUCT.md: a local time that does not exist (spring) is an error; one that exists twice
    (autumn) is resolved later by the order of start and end.
    """
    local = f"r.{name}__local"  # each text parsed once, in parse()'s inner select
    y = alias
    return f"""
        {local} AS {name}_local,
        CASE
            WHEN r.{name}__offset IS NOT NULL THEN r.{name}__offset
            WHEN {local} IS NULL THEN NULL
            WHEN {y}.gap_from IS NOT NULL AND {local} >= {y}.gap_from AND {local} < {y}.gap_to THEN NULL
            WHEN {y}.gap_to IS NOT NULL AND {local} >= {y}.gap_to AND {local} < {y}.fold_to
                THEN {local} - to_minutes({y}.summer_minutes)
            ELSE {local} - to_minutes({y}.winter_minutes)
        END AS {name}_utc,
        CASE WHEN {y}.fold_from IS NOT NULL AND {local} >= {y}.fold_from AND {local} < {y}.fold_to
            THEN {local} - to_minutes({y}.winter_minutes) END AS {name}_later,
        coalesce({y}.gap_from IS NOT NULL AND {local} >= {y}.gap_from AND {local} < {y}.gap_to, false) AS {name}_gap
    """


def parse(connection: duckdb.DuckDBPyConnection, *, given_org_number: str | None) -> None:
    """`parsed`: every raw row with its references resolved and its times in UTC."""
    connection.execute(_MACROS)
    # A file names a handful of providers in millions of rows: normalise each distinct text once.
    connection.execute("""
        CREATE OR REPLACE TEMP TABLE org_map AS
        SELECT given, org_number(given) AS org_number
        FROM (SELECT DISTINCT coalesce(nullif(provider_org_number, ''), ?) AS given FROM raw_visits)
    """, [given_org_number or ""])
    times = ",".join(_time_columns(name, f"y{index}") for index, name in enumerate(TIMES))
    year_joins = "\n".join(
        f"LEFT JOIN ref_years y{index} ON y{index}.year = year(r.{name}__local)" for index, name in enumerate(TIMES)
    )
    # Parse each time text once per row: the macros are inlined wherever they are used, and
    # re-parsing every time column a dozen times made a million rows take 20 s instead of 3.
    readings = ", ".join(f"local_time({name}) AS {name}__local, offset_time({name}) AS {name}__offset" for name in TIMES)
    helpers = ", ".join(f"{name}__local, {name}__offset" for name in TIMES)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE parsed AS
        SELECT r.* EXCLUDE ({helpers}),
            coalesce(nullif(r.provider_org_number, ''), ?) AS provider_given,
            p.provider_id, p.org_number AS provider_number,
            u.unit_id,
            m.recipient_id AS recipient_key, m.shown AS recipient_shown, m.error AS recipient_error,
            m.note AS recipient_note,
            st.value AS status_value, me.value AS method_value, b.value AS double_value,
            list_filter(list_transform(string_split(r.intervention_codes, '|'), lambda c: trim(c)), lambda c: c <> '') AS codes,
            {times}
        FROM (SELECT *, {readings} FROM raw_visits) r
        LEFT JOIN org_map o ON o.given = coalesce(nullif(r.provider_org_number, ''), ?)
        LEFT JOIN ref_providers p ON p.org_number = o.org_number
        LEFT JOIN ref_units u ON u.provider_id = p.provider_id AND u.code = r.unit_code
        LEFT JOIN ref_recipients m ON m.raw = r.recipient_id
        LEFT JOIN ref_status st ON st.word = lower(r.status)
        LEFT JOIN ref_method me ON me.word = lower(r.registration_method)
        LEFT JOIN ref_boolean b ON b.word = lower(r.double_staffing)
        {year_joins}
        """,
        [given_org_number or "", given_org_number or ""],
    )
    # The raw text is all in `parsed` now; freeing it early keeps a large file in memory
    # rather than spilled to disk.
    connection.execute("DROP TABLE raw_visits")


@dataclass(frozen=True)
class Rule:
    column: str
    condition: str  # SQL over `parsed` (alias p): true where the row breaks the rule
    value: str  # SQL for the value to show
    reason: str  # whole sentence; may use %(value)s-free wording, the value has its own column
    severity: str = "error"


def _rules(given_org_number: str | None) -> list[Rule]:
    performed = "coalesce(p.status_value, '') = 'performed'"
    rules = [
        Rule("visit_id", "p.visit_id = ''", "''", _("The visit id is empty; every visit needs the source system's id.")),
        Rule("provider_org_number", "p.provider_given = ''", "''",
             _("The provider's organisation number is empty; give it in the file or with the delivery.")),
        Rule("provider_org_number", "p.provider_given <> '' AND p.provider_id IS NULL", "p.provider_given",
             _("No registered provider has this organisation number; register the provider or correct the number.")),
        Rule("unit_code", "p.unit_code <> '' AND p.provider_id IS NOT NULL AND p.unit_id IS NULL", "p.unit_code",
             _("The provider has no unit with this code; register the unit or correct the code.")),
        Rule("recipient_id", "p.recipient_id = ''", "''", _("The recipient id is empty.")),
        Rule("recipient_id", "p.recipient_error IS NOT NULL", "p.recipient_shown", "RECIPIENT_ERROR"),
        Rule("recipient_id", "p.recipient_note IS NOT NULL", "p.recipient_shown", "RECIPIENT_NOTE", "warning"),
        Rule("status", "p.status_value IS NULL", "p.status",
             _("Unknown status; use performed, declined, cancelled or missed (utförd, avböjd, inställd, missad).")),
        Rule("registration_method", "p.method_value IS NULL", "p.registration_method",
             _("Unknown registration method; use nfc, app or manual (manuell).")),
        Rule("double_staffing", "p.double_value IS NULL", "p.double_staffing",
             _("Not a yes or no; use 1/0, ja/nej, yes/no, true/false or x/empty.")),
        Rule("staff_id", f"{performed} AND p.staff_id = ''", "''", _("A performed visit needs the staff id.")),
        Rule("intervention_codes", "len(p.codes) = 0", "p.intervention_codes",
             _("The visit has no intervention code; give one or more codes separated by |.")),
    ]
    for name in TIMES:
        needed = name.startswith("planned") or name == "registered_start"
        condition_empty = f"p.{name} = ''" + (f" AND {performed}" if name == "registered_start" else "")
        if needed:
            rules.append(Rule(name, condition_empty, "''",
                              _("The time is empty; a performed visit needs its planned and registered start.")
                              if name == "registered_start" else _("The planned time is empty.")))
        rules.append(Rule(name, f"p.{name} <> '' AND p.{name}_local IS NULL AND p.{name}_utc IS NULL", f"p.{name}",
                          _("Not a time; write YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset.")))
        rules.append(Rule(name, f"p.{name}_gap", f"p.{name}",
                          _("This local time does not exist: the clocks skip that hour when summer time begins.")))
    rules += [
        Rule("registered_end", f"{performed} AND p.registered_end = ''", "''",
             _("The visit has no registered end, so it has no performed time."), "warning"),
        Rule("planned_end", "p.planned_end_utc < p.planned_start_utc", "p.planned_end",
             _("The planned end is before the planned start.")),
        Rule("registered_end", "p.registered_end_utc < p.registered_start_utc", "p.registered_end",
             _("The registered end is before the registered start.")),
        Rule("registered_end",
             f"p.registered_end_utc - p.registered_start_utc > INTERVAL {MAX_VISIT_HOURS} HOURS", "p.registered_end",
             _("The visit lasts longer than %(hours)s hours; check the registration.") % {"hours": MAX_VISIT_HOURS}),
    ]
    if given_org_number:
        rules.append(Rule(
            "provider_org_number",
            "p.provider_org_number <> '' AND org_number(p.provider_org_number) IS DISTINCT FROM p.provider_given_number",
            "p.provider_org_number",
            _("The visit belongs to another provider than the one the file is delivered for."),
        ))
    return rules


def check(connection: duckdb.DuckDBPyConnection, *, given_org_number: str | None) -> None:
    """`issues(row, column, value, reason, severity)` for every broken rule, then the checks
    that need other rows: duplicate visit ids, unknown codes, ambiguous times, overlaps.

    Runs after resolve_times, so that the order and length rules see settled autumn times."""
    if given_org_number:
        connection.execute("ALTER TABLE parsed ADD COLUMN provider_given_number VARCHAR")
        connection.execute("UPDATE parsed SET provider_given_number = org_number(?)", [given_org_number])
    selects, parameters = [], []
    for rule in _rules(given_org_number):
        # Recipient reasons come per id from the registry look-up (references.py).
        reason = {"RECIPIENT_ERROR": "p.recipient_error", "RECIPIENT_NOTE": "p.recipient_note"}.get(rule.reason, "?")
        if reason == "?":
            parameters.append(rule.reason)
        selects.append(
            f"SELECT p.row, '{rule.column}' AS col, ({rule.value})::VARCHAR AS value, {reason} AS reason, "
            f"'{rule.severity}' AS severity FROM parsed p WHERE {rule.condition}"
        )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE issues AS " + " UNION ALL ".join(selects), parameters
    )
    _unknown_codes(connection)
    _duplicates(connection)
    _ambiguous(connection)


def _insert(connection: duckdb.DuckDBPyConnection, select: str, parameters: list[object]) -> None:
    connection.execute(f"INSERT INTO issues {select}", parameters)


def _unknown_codes(connection: duckdb.DuckDBPyConnection) -> None:
    """Every code must be in the catalogue, valid on the visit's planned (local) date."""
    _insert(connection, """
        SELECT p.row, 'intervention_codes', code, ?, 'error'
        FROM (SELECT row, unnest(codes) AS code, coalesce(planned_start_local, planned_start_utc)::DATE AS day FROM parsed) p
        WHERE NOT EXISTS (
            SELECT 1 FROM ref_interventions i WHERE i.code = p.code AND (p.day IS NULL OR p.day BETWEEN i.valid_from AND i.valid_to)
        )
    """, [_("The intervention code is not in the catalogue (on the visit's date).")])


def _duplicates(connection: duckdb.DuckDBPyConnection) -> None:
    """The same visit id twice for one provider in one file: the later rows are rejected."""
    _insert(connection, """
        SELECT row, 'visit_id', visit_id, replace(?, '{first}', first::VARCHAR), 'error' FROM (
            SELECT row, visit_id, min(row) OVER (PARTITION BY provider_id, visit_id) AS first
            FROM parsed WHERE visit_id <> '' AND provider_id IS NOT NULL
        ) WHERE row <> first
    """, [_("Repeats the visit id of row {first}; a visit id may appear once per file.")])


def resolve_times(connection: duckdb.DuckDBPyConnection) -> None:
    """Settle autumn times that exist twice by the order of start and end, else mark them
    (`parsed.ambiguous`; check() reports them). Runs before check(): the rules "end before
    start" and "longer than 16 hours" must judge the settled readings.

    Only the hour of one night a year is ambiguous, so the few rows go through the same
    Python rule (common.values.resolve_ambiguous) that every other reader uses.
    """
    rows = connection.execute("""
        SELECT row, planned_start_utc, planned_start_later, planned_end_utc, planned_end_later,
               registered_start_utc, registered_start_later, registered_end_utc, registered_end_later
        FROM parsed
        WHERE coalesce(planned_start_later, planned_end_later, registered_start_later, registered_end_later) IS NOT NULL
    """).fetchall()
    settled = []
    flagged = []
    for row, ps, ps2, pe, pe2, rs, rs2, re_, re2 in rows:
        planned = _settle(ps, ps2, pe, pe2)
        registered = _settle(rs, rs2, re_, re2)
        settled.append((row, *planned[:2], *registered[:2]))
        if planned[2] or registered[2]:
            flagged.append(row)
    if settled:
        connection.execute("CREATE OR REPLACE TEMP TABLE settled (row INTEGER, ps TIMESTAMP, pe TIMESTAMP, rs TIMESTAMP, re TIMESTAMP)")
        connection.executemany("INSERT INTO settled VALUES (?, ?, ?, ?, ?)", settled)
        connection.execute("""
            UPDATE parsed SET planned_start_utc = s.ps, planned_end_utc = s.pe,
                registered_start_utc = coalesce(s.rs, parsed.registered_start_utc),
                registered_end_utc = coalesce(s.re, parsed.registered_end_utc)
            FROM settled s WHERE parsed.row = s.row
        """)
    connection.execute("ALTER TABLE parsed ADD COLUMN ambiguous BOOLEAN DEFAULT false")
    if flagged:
        connection.execute("UPDATE parsed SET ambiguous = true WHERE row IN (SELECT unnest(?))", [flagged])


def _ambiguous(connection: duckdb.DuckDBPyConnection) -> None:
    """The rows resolve_times could not settle: a warning (reported by check, after the rules)."""
    _insert(connection, """
        SELECT row, 'registered_start', '', ?, 'warning' FROM parsed WHERE ambiguous
    """, [_("A time falls in the hour that occurs twice when summer time ends, and start and end "
            "do not settle which; the earlier reading was used.")])


def _settle(start, start_later, end, end_later):  # type: ignore[no-untyped-def]
    """(start, end, still ambiguous) for one pair of UTC readings."""
    if start is None or end is None:
        return start, end, False
    first = ParsedTime(start, start_later is not None, start_later)
    second = ParsedTime(end, end_later is not None, end_later)
    return resolve_ambiguous(first, second)


def overlaps(connection: duckdb.DuckDBPyConnection) -> None:
    """A staff member's performed visits that overlap by more than the tolerance: a warning.

    Each visit is compared with the latest-ending of the staff member's earlier visits, not just
    the one before it: a long visit can overlap several short ones that start after it.
    """
    _insert(connection, f"""
        SELECT row, 'registered_start', staff_id, replace(?, '{{other}}', previous_row::VARCHAR), 'warning' FROM (
            SELECT row, staff_id, registered_start_utc,
                   max(registered_end_utc) OVER w AS previous_end,
                   arg_max(row, registered_end_utc) OVER w AS previous_row
            FROM accepted
            WHERE status = 'performed' AND staff_id IS NOT NULL AND registered_start_utc IS NOT NULL
            WINDOW w AS (PARTITION BY provider_id, staff_id ORDER BY registered_start_utc, row
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ) WHERE previous_end - registered_start_utc > INTERVAL {OVERLAP_TOLERANCE_MINUTES} MINUTES
    """, [_("The staff member's visit overlaps the visit of row {other} by more than five minutes.")])
