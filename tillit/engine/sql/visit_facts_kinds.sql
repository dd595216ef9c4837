-- Every distinct set of intervention codes of the month's visits, and whether it holds regular
-- care: an intervention that is not a safety alarm, meal delivery or HSL (docs/indicators.md,
-- "Staff continuity"). Read once per month from the ledger's `codes_key` column, so that no
-- query decodes the visits' lists of codes.
CREATE OR REPLACE TEMP TABLE code_kinds AS
SELECT k.codes_key, NOT list_has_all(excluded.codes, k.codes) AS regular_care
FROM (SELECT codes_key, list_filter(string_split(codes_key, '|'), lambda c: c <> '') AS codes
      FROM (SELECT DISTINCT codes_key FROM ledger_visits)) k
CROSS JOIN (
    SELECT coalesce(list(code), []::VARCHAR[]) AS codes
    FROM interventions
    WHERE kind IN ('safety_alarm', 'meal_delivery', 'hsl')
) excluded;
