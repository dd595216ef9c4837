-- The month's visits counted per recipient for fees, schablons and declined visits —
-- docs/compensation.md#per-visit.
--   version: the one in force on the local date of the planned start;
--   band: the band the visit starts in (registered start when performed, else planned start);
--   planned_seconds: planned end − start in UTC (what a declined visit would have taken);
--   performed_seconds: registered end − start in UTC times the staff (hours performed, whatever
--   the model pays them by).
WITH visits AS (
    SELECT v.provider_id, v.recipient_id, v.status,
           array_to_string(v.intervention_codes, '|') AS codes_key,
           CASE WHEN v.double_staffing THEN 2 ELSE 1 END AS staff,
           coalesce(v.registered_start, v.planned_start) AS starts,
           timezone('Europe/Stockholm', v.planned_start::TIMESTAMPTZ)::DATE AS local_day,
           date_diff('second', v.planned_start, v.planned_end) AS planned_seconds,
           date_diff('second', v.registered_start, v.registered_end) AS registered_seconds
    FROM ledger_visits v
    WHERE v.status IN ('performed', 'declined')
)
SELECT v.provider_id, v.recipient_id, v.status, v.codes_key, v.staff, ver.version_from,
       coalesce(b.band, '') AS band,
       count(*)::INTEGER AS visits,
       sum(v.planned_seconds)::BIGINT AS planned_seconds,
       coalesce(sum(v.registered_seconds * v.staff) FILTER (WHERE v.status = 'performed'), 0)::BIGINT AS performed_seconds
FROM visits v
JOIN versions ver ON ver.provider_id = v.provider_id AND v.local_day >= ver.version_from AND v.local_day < ver.until
LEFT JOIN bands b ON b.provider_id = v.provider_id AND b.version_from = ver.version_from
                 AND v.starts >= b.start_utc AND v.starts < b.end_utc
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5, 6, 7
