-- The month's performed and declined visits in one pass, for the statements —
-- docs/compensation.md. The two queries that follow (compensation_time, compensation_visits)
-- read only this aggregate.
--   start: the registered start of a performed visit (its planned start when none is
--   registered), the planned start of a declined one; version: the one in force at the start
--   (from the interval's key day: `version_before`, or `version_after` from `boundary` on);
--   `intervals` cut the days around the month into occurrences of bands and the time between
--   them (band ''), listed under each UTC day whose visits they can touch, so the join is on
--   equality; a performed visit with a registered end meets every interval it overlaps, any
--   other visit the one its start falls in (starts_here);
--   seconds: the visit's time in the interval (registered end − start in UTC, daylight saving
--   right); visits: those counted in the band (`seen_until`: a visit that started before the
--   band's previous interval ended was counted there);
--   a start outside every interval (days outside the month) has the band '' and the version
--   of the month's first or last day (early: before the intervals begin).
WITH visits AS (
    SELECT provider_id, recipient_id, status, codes_key,
           CASE WHEN double_staffing THEN 2 ELSE 1 END AS staff,
           CASE WHEN status = 'performed' THEN coalesce(registered_start, planned_start) ELSE planned_start END AS s,
           CASE WHEN status = 'performed' THEN registered_end END AS e,
           date_diff('second', planned_start, planned_end) AS planned_seconds
    FROM ledger_visits
    WHERE status IN ('performed', 'declined')
)
SELECT v.provider_id, v.recipient_id, v.status, v.codes_key, v.staff,
       CASE WHEN v.s >= b.boundary THEN b.version_after ELSE b.version_before END AS version_from,
       coalesce(b.band, '') AS band,
       b.band IS NULL AND v.s < $window_start AS early,
       b.start_utc IS NULL OR b.start_utc <= v.s AS starts_here,
       v.e IS NOT NULL AS ended,
       count(*) FILTER (WHERE b.seen_until IS NULL OR b.seen_until <= v.s)::INTEGER AS visits,
       sum(v.planned_seconds)::BIGINT AS planned_seconds,
       sum(date_diff('second', v.s, v.e))::BIGINT AS visit_seconds,
       sum(CASE WHEN b.band IS NULL THEN date_diff('second', v.s, v.e)
                ELSE date_diff('second', greatest(v.s, b.start_utc), least(v.e, b.end_utc)) END)::BIGINT AS seconds
FROM visits v
LEFT JOIN intervals b ON b.provider_id = v.provider_id AND b.key_day = v.s::DATE AND b.end_utc > v.s
                     AND (b.start_utc <= v.s OR b.start_utc < v.e)
GROUP BY ALL
