-- Counts of the month's visits per provider and per unit, for the visit-based indicators —
-- docs/indicators.md#punctuality, #declined-cancelled-missed, #no-end, #manual.
--   planned     every visit in the ledger for the month, whatever its status
--   timed       performed visits with a registered start: punctuality's denominator
--   on_time     timed visits that began no more than the margin before or after the planned start
--   late/early  timed visits that began more than the margin after / before the planned start
--   no_end      performed visits without a registered end (no performed time; a control signal)
--   manual      performed visits registered by hand rather than by NFC or the app
-- (lateness: registered start − planned start in microseconds, compared with the margin in
-- whole numbers rather than as intervals per visit)
SELECT v.provider_id,
       v.unit_id,
       grouping(v.unit_id) = 0 AS by_unit,
       count(*) AS planned,
       count(*) FILTER (WHERE v.status = 'performed') AS performed,
       count(*) FILTER (WHERE v.status = 'declined') AS declined,
       count(*) FILTER (WHERE v.status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE v.status = 'missed') AS missed,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registered_start IS NOT NULL) AS timed,
       count(*) FILTER (WHERE v.status = 'performed' AND abs(v.lateness) <= t.margin) AS on_time,
       count(*) FILTER (WHERE v.status = 'performed' AND v.lateness > t.margin) AS late,
       count(*) FILTER (WHERE v.status = 'performed' AND v.lateness < -t.margin) AS early,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registered_end IS NULL) AS no_end,
       count(*) FILTER (WHERE v.status = 'performed' AND v.registration_method = 'manual') AS manual
FROM (SELECT provider_id, unit_id, status, registration_method, registered_start, registered_end,
             epoch_us(registered_start) - epoch_us(planned_start) AS lateness
      FROM visit_facts) v
JOIN (SELECT provider_id, punctuality_margin_minutes * 60000000 AS margin FROM terms) t USING (provider_id)
GROUP BY GROUPING SETS ((v.provider_id), (v.provider_id, v.unit_id))
