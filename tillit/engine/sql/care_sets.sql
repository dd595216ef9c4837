-- Each set of interventions among the month's visits ('A|B', the ledger's codes_key) and
-- whether it is regular care for staff continuity — docs/indicators.md#continuity: it holds
-- some intervention other than a safety alarm, meal delivery or HSL (by the catalogue's kind
-- in the month). Decided once per set (a month has a few dozen), not once per visit.
SELECT k.codes_key,
       NOT list_has_all(x.codes, CASE WHEN k.codes_key = '' THEN []::VARCHAR[]
                                      ELSE string_split(k.codes_key, '|') END) AS regular_care
FROM (SELECT DISTINCT codes_key FROM ledger_visits WHERE codes_key IS NOT NULL) k
CROSS JOIN (
    SELECT coalesce(list(code), []::VARCHAR[]) AS codes
    FROM interventions
    WHERE kind IN ('safety_alarm', 'meal_delivery', 'hsl')
) x
