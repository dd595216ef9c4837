-- The month's visits counted per recipient for fees, schablons and declined visits —
-- docs/compensation.md#per-visit. From compensation_month, each visit once, in the band and
-- version of its start:
--   planned_seconds: planned end − start in UTC (what a declined visit would have taken);
--   performed_seconds: registered end − start in UTC times the staff (hours performed, whatever
--   the model pays them by).
SELECT m.provider_id, m.recipient_id, m.status, m.codes_key, m.staff,
       coalesce(m.version_from, CASE WHEN m.early THEN x.first_version ELSE x.last_version END) AS version_from,
       m.band, sum(m.visits)::INTEGER AS visits, sum(m.planned_seconds)::BIGINT AS planned_seconds,
       coalesce(sum(m.visit_seconds * m.staff) FILTER (WHERE m.status = 'performed'), 0)::BIGINT AS performed_seconds
FROM month_visits m
JOIN (SELECT provider_id, min(version_from) AS first_version, max(version_from) AS last_version
      FROM versions GROUP BY ALL) x ON x.provider_id = m.provider_id
WHERE m.starts_here
GROUP BY ALL
