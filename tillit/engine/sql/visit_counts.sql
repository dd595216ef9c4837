-- Counts of the month's visits per provider and per unit, for the visit-based indicators —
-- docs/indicators.md#punctuality, #declined-cancelled-missed, #no-end, #manual.
--   planned     every visit in the ledger for the month, whatever its status
--   timed       performed visits with a registered start: punctuality's denominator
--   on_time     timed visits that began no more than the margin before or after the planned start
--   late/early  timed visits that began more than the margin after / before the planned start
--   no_end      performed visits without a registered end (no performed time; a control signal)
--   manual      performed visits registered by hand rather than by NFC or the app
SELECT v.provider_id,
       v.unit_id,
       grouping(v.unit_id) = 0 AS by_unit,
       count(*) AS planned,
       count(*) FILTER (WHERE v.status = 'performed') AS performed,
       count(*) FILTER (WHERE v.status = 'declined') AS declined,
       count(*) FILTER (WHERE v.status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE v.status = 'missed') AS missed,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registered_start IS NOT NULL) AS timed,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registered_start IS NOT NULL
                          AND v.registered_start BETWEEN v.planned_start - to_minutes(t.punctuality_margin_minutes)
                                                     AND v.planned_start + to_minutes(t.punctuality_margin_minutes)) AS on_time,
       count(*) FILTER (WHERE v.status = 'performed'
                          AND v.registered_start > v.planned_start + to_minutes(t.punctuality_margin_minutes)) AS late,
       count(*) FILTER (WHERE v.status = 'performed'
                          AND v.registered_start < v.planned_start - to_minutes(t.punctuality_margin_minutes)) AS early,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registered_end IS NULL) AS no_end,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registration_method = 'manual') AS manual
FROM visit_facts v
JOIN terms t USING (provider_id)
GROUP BY GROUPING SETS ((v.provider_id), (v.provider_id, v.unit_id))
