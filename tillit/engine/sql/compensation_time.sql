-- Performed time of the month per recipient, set of interventions, model version and time
-- band — docs/compensation.md#performed-time. From compensation_month:
--   performed visits with a registered end, their time split over the bands, times the staff
--   (double staffing is paid per staff member); visits holding only interventions paid per
--   occasion or per delivery are left out (`code_sets.timed`).
SELECT m.provider_id, m.recipient_id, c.category, m.codes_key,
       coalesce(m.version_from, CASE WHEN m.early THEN x.first_version ELSE x.last_version END) AS version_from,
       m.band, sum(m.seconds * m.staff)::BIGINT AS seconds, sum(m.visits)::INTEGER AS visits
FROM month_visits m
JOIN code_sets c ON c.codes_key = m.codes_key
JOIN (SELECT provider_id, min(version_from) AS first_version, max(version_from) AS last_version
      FROM versions GROUP BY ALL) x ON x.provider_id = m.provider_id
WHERE m.status = 'performed' AND m.ended AND c.timed
GROUP BY ALL
