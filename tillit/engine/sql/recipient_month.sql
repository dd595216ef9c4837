-- Per provider and recipient in the month — docs/indicators.md#staff-per-recipient, #performed-granted.
--   staff              different staff met on all performed visits (any time of day, any intervention)
--   performed_seconds  registered end − start of performed visits, in UTC, per staff member
--   granted_seconds    the month's granted time from the decisions (PRODUCT.md, "Granted time")
-- A recipient with granted time but no visits, or visits but no granted time, is listed too.
WITH visit_totals AS (
    SELECT provider_id, recipient_id,
           count(*) AS planned_visits,
           count(*) FILTER (WHERE status = 'performed') AS performed_visits,
           coalesce(sum(performed_seconds) FILTER (WHERE status = 'performed'), 0) AS performed_seconds
    FROM visit_facts
    GROUP BY ALL
),
staff AS (
    SELECT provider_id, recipient_id, count(DISTINCT staff) AS staff
    FROM (SELECT provider_id, recipient_id, trim(staff_id) AS staff
          FROM visit_facts
          WHERE status = 'performed' AND NOT contains(staff_id, '|')
          UNION ALL  -- double-staffed visits (a few per cent): each of the two
          SELECT provider_id, recipient_id, trim(unnest(string_split(staff_id, '|')))
          FROM visit_facts
          WHERE status = 'performed' AND contains(staff_id, '|'))
    WHERE staff <> ''
    GROUP BY ALL
)
SELECT provider_id, recipient_id,
       coalesce(s.staff, 0)::INTEGER AS staff,
       coalesce(v.planned_visits, 0)::INTEGER AS planned_visits,
       coalesce(v.performed_visits, 0)::INTEGER AS performed_visits,
       coalesce(v.performed_seconds, 0)::BIGINT AS performed_seconds,
       coalesce(g.granted_seconds, 0)::BIGINT AS granted_seconds
FROM visit_totals v
FULL JOIN granted g USING (provider_id, recipient_id)
LEFT JOIN staff s USING (provider_id, recipient_id)
ORDER BY provider_id, recipient_id
