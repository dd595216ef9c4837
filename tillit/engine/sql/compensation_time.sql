-- Performed time of the month per recipient and set of interventions, in the model version and
-- time band each second falls in — docs/compensation.md#performed-time.
--   performed visits with a registered end; registered end − start in UTC (daylight saving
--   right), times the staff (double staffing is paid per staff member);
--   a band's share is the overlap of the visit with the band's occurrences (bands: local clock
--   times turned into UTC instants per day, public holidays as Sundays); seconds in no band
--   belong to the band '' in the version in force on the visit's local start date;
--   visits holding only schablon-paid interventions are left out (paid per occasion instead).
WITH performed AS (
    SELECT v.provider_id, v.recipient_id, v.visit_id, v.registered_start AS s, v.registered_end AS e,
           CASE WHEN v.double_staffing THEN 2 ELSE 1 END AS staff,
           timezone('Europe/Stockholm', v.registered_start::TIMESTAMPTZ)::DATE AS local_day,
           c.category, c.codes_key
    FROM ledger_visits v
    JOIN code_sets c ON c.codes_key = array_to_string(v.intervention_codes, '|')
    WHERE v.status = 'performed' AND v.registered_end IS NOT NULL AND c.timed
),
banded AS (
    SELECT p.visit_id, p.provider_id, b.version_from, b.band,
           sum(date_diff('second', greatest(p.s, b.start_utc), least(p.e, b.end_utc))) AS seconds
    FROM performed p
    JOIN bands b ON b.provider_id = p.provider_id AND b.start_utc < p.e AND b.end_utc > p.s
    GROUP BY ALL
),
unbanded AS (
    SELECT p.visit_id, p.provider_id, ver.version_from, '' AS band,
           date_diff('second', p.s, p.e) - coalesce((SELECT sum(seconds) FROM banded b
                                                      WHERE b.visit_id = p.visit_id AND b.provider_id = p.provider_id), 0)
               AS seconds
    FROM performed p
    JOIN versions ver ON ver.provider_id = p.provider_id AND p.local_day >= ver.version_from
                     AND p.local_day < ver.until
),
parts AS (
    SELECT * FROM banded
    UNION ALL
    SELECT * FROM unbanded WHERE seconds > 0
)
SELECT p.provider_id, p.recipient_id, p.category, p.codes_key, x.version_from, x.band,
       sum(x.seconds * p.staff)::BIGINT AS seconds,
       count(DISTINCT p.visit_id)::INTEGER AS visits
FROM parts x
JOIN performed p USING (provider_id, visit_id)
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5, 6
