"""Checking delivered visits, all rows at once, in DuckDB.

Each rule of DATA-FORMATS.md and PRODUCT.md ("Local time", "Performed time") is one condition
in _rules(), producing row issues (row, column, value, reason, severity). An error rejects its
row; a warning keeps it and travels with the visit into quality figures. Reasons are whole
translated sentences, bound as parameters.

The work is shaped by the volume (two million rows a month, few distinct texts):
  parse   reads every distinct text once (_dictionaries), joins the readings to the rows and
          keeps a narrow `parsed` table: the ledger's values and a `suspect` flag, true where
          a row breaks one of its own rules;
  check   reads the suspect rows again in full, with their delivered text, and applies each
          rule to them; the checks across rows (duplicate ids, unknown codes) run on `parsed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa
from django.utils.translation import gettext as _

from tillit.common.values import ParsedTime, resolve_ambiguous
from tillit.ledger.columns import MAX_VISIT_HOURS, NAMES, OVERLAP_TOLERANCE_MINUTES
from tillit.ledger.references import TIME_ZONE

TIMES = ("planned_start", "planned_end", "registered_start", "registered_end")
_TIME_ALIASES = ("ps", "pe", "rs", "re")

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


# The cells that hold codes and names rather than values of their own: a month of a large
# municipality has a couple of thousand distinct combinations of them in two million rows.
CODED = ("provider_org_number", "unit_code", "intervention_codes", "double_staffing", "status", "registration_method")


def _dictionaries(connection: duckdb.DuckDBPyConnection, *, given_org_number: str | None) -> None:
    """What each distinct delivered text means, computed once per text rather than per cell.

    Two million rows have a handful of providers and units, a few dozen code lists and some
    45,000 distinct time stamps in eight million time cells: parsing, trimming and normalising
    there, and joining the readings to the rows, is what keeps the check fast. Keys are the
    texts as delivered (NULL for an empty cell), so rows join them without trimming.
    """
    given = given_org_number or ""
    connection.execute(_MACROS)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE coded_combinations AS SELECT DISTINCT {', '.join(CODED)} FROM raw_visits"
    )
    # Providers and units: the provider given in the file, or with the delivery.
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE provider_texts AS
        WITH given AS (
            SELECT org_text, unit_text, trim(coalesce(org_text, '')) AS in_file,
                   coalesce(nullif(trim(coalesce(org_text, '')), ''), ?) AS provider_given,
                   trim(coalesce(unit_text, '')) AS unit_code
            FROM (SELECT DISTINCT provider_org_number AS org_text, unit_code AS unit_text FROM coded_combinations)
        )
        SELECT g.org_text, g.unit_text, g.provider_given, p.provider_id, u.unit_id,
            g.provider_given = '' AS provider_empty,
            g.provider_given <> '' AND p.provider_id IS NULL AS provider_unknown,
            g.unit_code <> '' AND p.provider_id IS NOT NULL AND u.unit_id IS NULL AS unit_unknown,
            -- A file delivered for one provider may name only that provider.
            ? <> '' AND g.in_file <> '' AND org_number(g.in_file) IS DISTINCT FROM org_number(?) AS provider_other
        FROM given g
        LEFT JOIN ref_providers p ON p.org_number = org_number(g.provider_given)
        LEFT JOIN ref_units u ON u.provider_id = p.provider_id AND u.code = g.unit_code
        """,
        [given, given, given],
    )
    # Intervention codes: one or more, separated by |; a small key stands for each list. The
    # ledger keeps the list and its text `codes_key` ('A|B'): grouping by a string is far cheaper.
    connection.execute("""
        CREATE OR REPLACE TEMP TABLE code_texts AS
        SELECT *, array_to_string(codes, '|') AS codes_key FROM (
            SELECT row_number() OVER ()::INTEGER AS code_key, text,
                list_filter(list_transform(string_split(coalesce(text, ''), '|'), lambda c: trim(c)), lambda c: c <> '') AS codes
            FROM (SELECT DISTINCT intervention_codes AS text FROM coded_combinations))
    """)
    # Each combination with its readings; the vocabularies (columns.py) in any case, surrounding
    # spaces ignored. A NULL value is an unknown word.
    connection.execute("""
        CREATE OR REPLACE TEMP TABLE coded_texts AS
        SELECT k.*,
            pt.provider_id, pt.unit_id, pt.provider_given,
            pt.provider_empty, pt.provider_unknown, pt.unit_unknown, pt.provider_other,
            c.code_key, len(c.codes) = 0 AS codes_missing,
            st.value AS status_value, me.value AS method_value, ds.value AS double_value
        FROM coded_combinations k
        LEFT JOIN provider_texts pt
            ON pt.org_text IS NOT DISTINCT FROM k.provider_org_number AND pt.unit_text IS NOT DISTINCT FROM k.unit_code
        LEFT JOIN code_texts c ON c.text IS NOT DISTINCT FROM k.intervention_codes
        LEFT JOIN ref_status st ON st.word = lower(trim(coalesce(k.status, '')))
        LEFT JOIN ref_method me ON me.word = lower(trim(coalesce(k.registration_method, '')))
        LEFT JOIN ref_boolean ds ON ds.word = lower(trim(coalesce(k.double_staffing, '')))
    """)
    # Times: local wall-clock text to UTC, with the gap (spring) and the fold (autumn) of
    # PRODUCT.md "Local time": a time in the gap does not exist; one in the fold has a second,
    # later reading, which resolve_times settles by the order of start and end.
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE time_texts AS
        WITH texts AS (
            {" UNION ".join(f"SELECT {name} AS text FROM raw_visits" for name in TIMES)}
        ), trimmed AS (
            SELECT text, trim(coalesce(text, '')) AS s FROM texts
        ), read AS (
            SELECT text, s, local_time(s) AS local, offset_time(s) AS offset_utc FROM trimmed
        ), placed AS (
            SELECT r.*, y.*,
                coalesce(r.local >= y.gap_from AND r.local < y.gap_to, false) AS in_gap,
                coalesce(r.local >= y.fold_from AND r.local < y.fold_to, false) AS in_fold
            FROM read r LEFT JOIN ref_years y ON y.year = year(r.local)
        )
        SELECT text,
            CASE
                WHEN offset_utc IS NOT NULL THEN offset_utc
                WHEN local IS NULL OR in_gap THEN NULL
                WHEN gap_to IS NOT NULL AND local >= gap_to AND local < fold_to THEN local - to_minutes(summer_minutes)
                ELSE local - to_minutes(winter_minutes)
            END AS utc,
            CASE WHEN in_fold THEN local - to_minutes(winter_minutes) END AS later,
            -- The visit's month and day are local: a visit at 00:30 on 1 May belongs to May.
            strftime(coalesce(local, timezone('{TIME_ZONE}', offset_utc::TIMESTAMPTZ)), '%Y-%m') AS local_month,
            coalesce(local, timezone('{TIME_ZONE}', offset_utc::TIMESTAMPTZ))::DATE AS local_date,
            CASE
                WHEN s = '' THEN 'empty'
                WHEN local IS NULL AND offset_utc IS NULL THEN 'not a time'
                WHEN in_gap THEN 'gap'
            END AS fault
        FROM placed
        """
    )


def _readings(source: str) -> str:
    """SQL: each row of `source` (raw_rows or raw_rows_at) with everything the rules and the
    ledger need: references resolved, times in UTC with their faults, and the delivered text."""
    times = ",\n".join(
        f"{alias}.utc AS {name}, {alias}.later AS {name}_later, {alias}.fault AS {name}_fault"
        for alias, name in zip(_TIME_ALIASES, TIMES)
    )
    time_joins = "\n".join(
        f"LEFT JOIN time_texts {alias} ON {alias}.text IS NOT DISTINCT FROM r.{name}"
        for alias, name in zip(_TIME_ALIASES, TIMES)
    )
    coded_join = " AND ".join(f"k.{column} IS NOT DISTINCT FROM r.{column}" for column in CODED)
    texts = ", ".join(f"trim(coalesce(r.{name}, '')) AS {name}_text" for name in NAMES)
    return f"""
        SELECT r.row,
            trim(coalesce(r.visit_id, '')) AS visit_id,
            trim(coalesce(r.staff_id, '')) AS staff_id,
            k.provider_id, k.unit_id, k.provider_given,
            k.provider_empty, k.provider_unknown, k.unit_unknown, k.provider_other,
            m.recipient_id, m.shown AS recipient_shown,
            m.raw IS NULL AS recipient_empty, m.error IS NOT NULL AS recipient_error, m.note IS NOT NULL AS recipient_note,
            m.error AS recipient_error_reason, m.note AS recipient_note_reason,
            {times},
            ps.local_month AS month, ps.local_date,
            k.code_key, k.codes_missing,
            k.status_value AS status, k.method_value AS registration_method, k.double_value AS double_staffing,
            {texts}
        FROM {source} r
        LEFT JOIN coded_texts k ON {coded_join}
        LEFT JOIN ref_recipients m ON m.raw = r.recipient_id
        {time_joins}
    """


# What the ledger keeps of a row (besides its row number): values, no flags and no text.
_PARSED = (
    "visit_id", "staff_id", "provider_id", "unit_id", "recipient_id", *TIMES, "month", "local_date", "code_key",
    "status", "registration_method", "double_staffing",
)


def parse(connection: duckdb.DuckDBPyConnection, *, given_org_number: str | None) -> None:
    """`parsed`: every row with its values resolved and its times in UTC, and `suspect`.

    Narrow on purpose: two million rows are stored once, so each row keeps only the ledger's
    values and whether it breaks a rule of its own (or has an autumn time to settle). check()
    reads the few suspect rows again in full. Needs `ref_recipients` (references.py).
    """
    _dictionaries(connection, given_org_number=given_org_number)
    in_fold = " OR ".join(f"p.{name}_later IS NOT NULL" for name in TIMES)
    # A rule's WHERE passes over NULL, and so does this.
    breaks = " OR ".join(f"coalesce({rule.condition}, false)" for rule in _rules(given_org_number))
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE parsed AS
        SELECT p.row, {", ".join(f"p.{name}" for name in _PARSED)},
            {breaks} OR {in_fold} AS suspect
        FROM ({_readings("raw_rows")}) p
    """)


@dataclass(frozen=True)
class Rule:
    column: str
    condition: str  # SQL over `parsed` (alias p): true where the row breaks the rule
    value: str  # SQL for the value to show; may also use the delivered texts (see check)
    reason: str  # whole sentence; may use %(value)s-free wording, the value has its own column
    severity: str = "error"


def _rules(given_org_number: str | None) -> list[Rule]:
    performed = "coalesce(p.status, '') = 'performed'"
    rules = [
        Rule("visit_id", "p.visit_id = ''", "''", _("The visit id is empty; every visit needs the source system's id.")),
        Rule("provider_org_number", "p.provider_empty", "''",
             _("The provider's organisation number is empty; give it in the file or with the delivery.")),
        Rule("provider_org_number", "p.provider_unknown", "p.provider_given",
             _("No registered provider has this organisation number; register the provider or correct the number.")),
        Rule("unit_code", "p.unit_unknown", "p.unit_code_text",
             _("The provider has no unit with this code; register the unit or correct the code.")),
        Rule("recipient_id", "p.recipient_empty", "''", _("The recipient id is empty.")),
        Rule("recipient_id", "p.recipient_error", "p.recipient_shown", "RECIPIENT_ERROR"),
        Rule("recipient_id", "p.recipient_note", "p.recipient_shown", "RECIPIENT_NOTE", "warning"),
        Rule("status", "p.status IS NULL", "p.status_text",
             _("Unknown status; use performed, declined, cancelled or missed (utförd, avböjd, inställd, missad).")),
        Rule("registration_method", "p.registration_method IS NULL", "p.registration_method_text",
             _("Unknown registration method; use nfc, app or manual (manuell).")),
        Rule("double_staffing", "p.double_staffing IS NULL", "p.double_staffing_text",
             _("Not a yes or no; use 1/0, ja/nej, yes/no, true/false or x/empty.")),
        Rule("staff_id", f"{performed} AND p.staff_id = ''", "''", _("A performed visit needs the staff id.")),
        Rule("intervention_codes", "p.codes_missing", "p.intervention_codes_text",
             _("The visit has no intervention code; give one or more codes separated by |.")),
    ]
    for name in TIMES:
        needed = name.startswith("planned") or name == "registered_start"
        if needed:
            condition_empty = f"p.{name}_fault = 'empty'" + (f" AND {performed}" if name == "registered_start" else "")
            rules.append(Rule(name, condition_empty, "''",
                              _("The time is empty; a performed visit needs its planned and registered start.")
                              if name == "registered_start" else _("The planned time is empty.")))
        rules.append(Rule(name, f"p.{name}_fault = 'not a time'", f"p.{name}_text",
                          _("Not a time; write YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset.")))
        rules.append(Rule(name, f"p.{name}_fault = 'gap'", f"p.{name}_text",
                          _("This local time does not exist: the clocks skip that hour when summer time begins.")))
    rules += [
        Rule("registered_end", f"{performed} AND p.registered_end_fault = 'empty'", "''",
             _("The visit has no registered end, so it has no performed time."), "warning"),
        Rule("planned_end", "p.planned_end < p.planned_start", "p.planned_end_text",
             _("The planned end is before the planned start.")),
        Rule("registered_end", "p.registered_end < p.registered_start", "p.registered_end_text",
             _("The registered end is before the registered start.")),
        Rule("registered_end",
             f"p.registered_end - p.registered_start > INTERVAL {MAX_VISIT_HOURS} HOURS", "p.registered_end_text",
             _("The visit lasts longer than %(hours)s hours; check the registration.") % {"hours": MAX_VISIT_HOURS}),
    ]
    if given_org_number:
        rules.append(Rule("provider_org_number", "p.provider_other", "p.provider_org_number_text",
                          _("The visit belongs to another provider than the one the file is delivered for.")))
    return rules


def check(connection: duckdb.DuckDBPyConnection, *, given_org_number: str | None) -> None:
    """`issues(row, column, value, reason, severity)` for every broken rule, then the checks
    that need other rows: duplicate visit ids, unknown codes, ambiguous times.

    The rules look only at the suspect rows (usually a few thousand), read again in full with
    their delivered text; autumn times are settled first (resolve_times), so that the order
    and length rules judge the settled readings.
    """
    rules = _rules(given_org_number)
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE suspects AS
        {_readings("raw_rows_at((SELECT list(row) FROM parsed WHERE suspect))")}
    """)
    resolve_times(connection)
    selects, parameters = [], []
    for rule in rules:
        # Recipient reasons come per id from the registry look-up (references.py).
        reason = {"RECIPIENT_ERROR": "p.recipient_error_reason", "RECIPIENT_NOTE": "p.recipient_note_reason"}.get(rule.reason, "?")
        if reason == "?":
            parameters.append(rule.reason)
        selects.append(
            f"SELECT p.row, '{rule.column}' AS col, ({rule.value})::VARCHAR AS value, {reason} AS reason, "
            f"'{rule.severity}' AS severity FROM suspects p WHERE {rule.condition}"
        )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE issues AS " + " UNION ALL ".join(selects), parameters
    )
    _unknown_codes(connection)
    _duplicates(connection)
    _ambiguous(connection)
    connection.execute("CREATE OR REPLACE TEMP TABLE rejected AS SELECT DISTINCT row FROM issues WHERE severity = 'error'")


def _insert(connection: duckdb.DuckDBPyConnection, select: str, parameters: list[object]) -> None:
    connection.execute(f"INSERT INTO issues {select}", parameters)


def _unknown_codes(connection: duckdb.DuckDBPyConnection) -> None:
    """Every code must be in the catalogue, valid on the visit's planned (local) date.

    Judged once per combination of codes and day (a few hundred a month), then reported on
    the rows with an unknown combination.
    """
    _insert(connection, """
        WITH combinations AS (
            SELECT DISTINCT p.code_key, p.local_date AS day FROM parsed p
        ), unknown AS (
            SELECT code_key, day, code FROM (
                SELECT k.code_key, k.day, unnest(c.codes) AS code
                FROM combinations k JOIN code_texts c USING (code_key)
            ) x
            WHERE NOT EXISTS (
                SELECT 1 FROM ref_interventions i
                WHERE i.code = x.code AND (x.day IS NULL OR x.day BETWEEN i.valid_from AND i.valid_to)
            )
        )
        SELECT p.row, 'intervention_codes', u.code, ?, 'error'
        FROM parsed p JOIN unknown u ON u.code_key = p.code_key AND u.day IS NOT DISTINCT FROM p.local_date
    """, [_("The intervention code is not in the catalogue (on the visit's date).")])


def _duplicates(connection: duckdb.DuckDBPyConnection) -> None:
    """The same visit id twice for one provider in one file: the later rows are rejected."""
    _insert(connection, """
        WITH repeated AS (
            SELECT provider_id, visit_id, min(row) AS first FROM parsed
            WHERE visit_id <> '' AND provider_id IS NOT NULL
            GROUP BY provider_id, visit_id HAVING count(*) > 1
        )
        SELECT p.row, 'visit_id', p.visit_id, replace(?, '{first}', r.first::VARCHAR), 'error'
        FROM parsed p JOIN repeated r USING (provider_id, visit_id)
        WHERE p.row <> r.first
    """, [_("Repeats the visit id of row {first}; a visit id may appear once per file.")])


def resolve_times(connection: duckdb.DuckDBPyConnection) -> None:
    """Settle autumn times that exist twice by the order of start and end, else mark them
    (`ambiguous_rows`; check() reports them), in `parsed` and in `suspects` (where every
    such row is). Runs before the rules "end before start" and "longer than 16 hours", which
    must judge the settled readings.

    Only the hour of one night a year is ambiguous, so the few rows go through the same
    Python rule (common.values.resolve_ambiguous) that every other reader uses.
    """
    rows = connection.execute("""
        SELECT row, planned_start, planned_start_later, planned_end, planned_end_later,
               registered_start, registered_start_later, registered_end, registered_end_later
        FROM suspects
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
        # One Arrow table, not an INSERT per row: an autumn month has thousands of such rows.
        columns = list(zip(*settled))
        connection.register("settled", pa.table({
            "row": pa.array(columns[0], pa.int32()),
            **{name: pa.array(values, pa.timestamp("us")) for name, values in zip(("ps", "pe", "rs", "re"), columns[1:])},
        }))
        for table in ("parsed", "suspects"):
            connection.execute(f"""
                UPDATE {table} SET planned_start = s.ps, planned_end = s.pe,
                    registered_start = coalesce(s.rs, {table}.registered_start),
                    registered_end = coalesce(s.re, {table}.registered_end)
                FROM settled s WHERE {table}.row = s.row
            """)
        connection.unregister("settled")
    connection.execute("CREATE OR REPLACE TEMP TABLE ambiguous_rows (row INTEGER)")
    if flagged:
        connection.execute("INSERT INTO ambiguous_rows SELECT unnest(?)", [flagged])


def _ambiguous(connection: duckdb.DuckDBPyConnection) -> None:
    """The rows resolve_times could not settle: a warning (reported by check, after the rules)."""
    _insert(connection, """
        SELECT row, 'registered_start', '', ?, 'warning' FROM ambiguous_rows
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
    A double-staffed visit may name both staff (`S1|S2`): each is checked on their own.
    Reads `accepted` (services.py): rejected rows overlap nothing. Leaves `overlapping(row, ...)`
    for the ledger's `overlap` flag.
    """
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE overlapping AS
        SELECT row, staff_id, previous_row FROM (
            SELECT row, staff_id, registered_start,
                   max(registered_end) OVER w AS previous_end,
                   arg_max(row, registered_end) OVER w AS previous_row
            FROM (
                SELECT a.row, a.provider_id, trim(s.staff_id) AS staff_id, a.registered_start, a.registered_end
                FROM accepted a, unnest(string_split(a.staff_id, '|')) AS s(staff_id)
                WHERE a.status = 'performed' AND a.staff_id IS NOT NULL AND a.registered_start IS NOT NULL
            ) one_staff
            WHERE staff_id <> ''
            WINDOW w AS (PARTITION BY provider_id, staff_id ORDER BY registered_start, row
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ) WHERE previous_end - registered_start > INTERVAL {OVERLAP_TOLERANCE_MINUTES} MINUTES
    """)
    _insert(connection, """
        SELECT row, 'registered_start', staff_id, replace(?, '{other}', previous_row::VARCHAR), 'warning'
        FROM overlapping
    """, [_("The staff member's visit overlaps the visit of row {other} by more than five minutes.")])


def overlaps_with_earlier(connection: duckdb.DuckDBPyConnection, ledger_files: str | None, *, complete: bool) -> None:
    """The same warning against visits delivered earlier that stay in the ledger: daily
    deliveries each check only themselves otherwise.

    `ledger_files`: a DuckDB list of the current files of the months the delivery touches (None:
    nothing delivered earlier). Left out: visits this delivery replaces (the same visit id), and
    with `complete` every visit of its providers in its months (the delivery retires them).
    Adds the rows to `overlapping`.
    """
    if ledger_files is None:
        return
    retired = ("AND (l.provider_id, l.month) NOT IN (SELECT DISTINCT provider_id, month FROM accepted)"
               if complete else "")
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE overlapping_earlier AS
        WITH mine AS (
            SELECT a.row, a.provider_id, trim(s.staff_id) AS staff_id, a.registered_start, a.registered_end
            FROM accepted a, unnest(string_split(a.staff_id, '|')) AS s(staff_id)
            WHERE a.status = 'performed' AND a.staff_id IS NOT NULL AND a.registered_start IS NOT NULL
              AND a.registered_end IS NOT NULL
        ),
        earlier AS (
            SELECT l.provider_id, trim(s.staff_id) AS staff_id, l.visit_id, l.registered_start, l.registered_end
            FROM read_parquet({ledger_files}) l, unnest(string_split(l.staff_id, '|')) AS s(staff_id)
            WHERE l.status = 'performed' AND l.staff_id IS NOT NULL AND l.registered_end IS NOT NULL
              AND l.provider_id IN (SELECT provider_id FROM mine)
              AND (l.provider_id, l.visit_id) NOT IN (SELECT (provider_id, visit_id) FROM accepted)
              {retired}
        )
        SELECT m.row, m.staff_id,
               arg_max(e.visit_id, least(m.registered_end, e.registered_end)
                                   - greatest(m.registered_start, e.registered_start)) AS other_visit
        FROM mine m
        JOIN earlier e ON e.provider_id = m.provider_id AND e.staff_id = m.staff_id
         AND e.registered_start < m.registered_end AND e.registered_end > m.registered_start
        WHERE least(m.registered_end, e.registered_end) - greatest(m.registered_start, e.registered_start)
              > INTERVAL {OVERLAP_TOLERANCE_MINUTES} MINUTES
        GROUP BY ALL
    """)
    _insert(connection, """
        SELECT row, 'registered_start', staff_id, replace(?, '{other}', other_visit), 'warning'
        FROM overlapping_earlier
    """, [_("The staff member's visit overlaps visit {other}, delivered earlier, by more than five minutes.")])
    connection.execute("INSERT INTO overlapping SELECT row, staff_id, NULL FROM overlapping_earlier")
