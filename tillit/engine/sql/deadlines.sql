-- The quality declaration's deadlines, one item per thing owed — docs/indicators.md#deadlines.
--   welcome_call       a home-care episode's welcome call, within welcome_call_days of its start
--   plan               an episode's implementation plan, within plan_days of its start
--   plan_follow_up     a plan (established or followed up) followed up within plan_followup_months
--   complaint          a complaint answered (same reference) within complaint_days of receipt
-- Calendar days: done on the deadline day is in time (received on the 1st, answered on the
-- 15th is day 14: in time; on the 16th, day 15: late). Only events of the same provider and
-- recipient count, dated on or after the start and, for episodes, before the episode ended.
-- An item is measured in the month its deadline falls in, when the episode was still going
-- on at the deadline; `status` is met, late, missing (deadline passed) or pending.
WITH welcome AS (
    SELECT 'welcome_call' AS indicator, e.provider_id, e.recipient_id, '' AS reference,
           e.start_date, e.start_date + t.welcome_call_days AS due_date, e.end_date,
           (SELECT min(c.date) FROM care_events c
             WHERE c.event_type = 'welcome_call' AND c.provider_id = e.provider_id
               AND c.recipient_id = e.recipient_id AND c.date BETWEEN e.start_date AND e.end_date) AS done_date
    FROM episodes e
    JOIN terms t USING (provider_id)
    WHERE NOT e.nursing_home
),
plan AS (
    SELECT 'plan' AS indicator, e.provider_id, e.recipient_id, '' AS reference,
           e.start_date, e.start_date + t.plan_days AS due_date, e.end_date,
           (SELECT min(c.date) FROM care_events c
             WHERE c.event_type = 'plan_established' AND c.provider_id = e.provider_id
               AND c.recipient_id = e.recipient_id AND c.date BETWEEN e.start_date AND e.end_date) AS done_date
    FROM episodes e
    JOIN terms t USING (provider_id)
),
plan_events AS (
    SELECT c.provider_id, c.recipient_id, c.date, e.end_date
    FROM care_events c
    JOIN episodes e
      ON e.provider_id = c.provider_id AND e.recipient_id = c.recipient_id
     AND c.date BETWEEN e.start_date AND e.end_date
    WHERE c.event_type IN ('plan_established', 'plan_followed_up')
    GROUP BY ALL
),
follow_up AS (
    SELECT 'plan_follow_up' AS indicator, p.provider_id, p.recipient_id, '' AS reference,
           p.date AS start_date, (p.date + to_months(t.plan_followup_months))::DATE AS due_date, p.end_date,
           (SELECT min(c.date) FROM care_events c
             WHERE c.event_type = 'plan_followed_up' AND c.provider_id = p.provider_id
               AND c.recipient_id = p.recipient_id AND c.date > p.date AND c.date <= p.end_date) AS done_date
    FROM plan_events p
    JOIN terms t USING (provider_id)
),
complaint AS (
    SELECT 'complaint' AS indicator, r.provider_id, r.recipient_id, r.reference,
           r.date AS start_date, r.date + t.complaint_days AS due_date, DATE '9999-12-31' AS end_date,
           (SELECT min(c.date) FROM care_events c
             WHERE c.event_type = 'complaint_answered' AND c.provider_id = r.provider_id
               AND c.recipient_id = r.recipient_id AND c.reference = r.reference
               AND c.date >= r.date) AS done_date
    FROM care_events r
    JOIN terms t USING (provider_id)
    WHERE r.event_type = 'complaint_received'
),
items AS (
    SELECT * FROM welcome
    UNION ALL SELECT * FROM plan
    UNION ALL SELECT * FROM follow_up
    UNION ALL SELECT * FROM complaint
)
SELECT indicator, provider_id, recipient_id, reference, start_date, due_date,
       CASE WHEN end_date = DATE '9999-12-31' THEN NULL ELSE end_date END AS end_date,
       CASE WHEN done_date > $as_of THEN NULL ELSE done_date END AS done_date,
       CASE WHEN done_date <= $as_of AND done_date <= due_date THEN 'met'
            WHEN done_date <= $as_of THEN 'late'
            WHEN due_date < $as_of THEN 'missing'
            ELSE 'pending' END AS status
FROM items
WHERE due_date BETWEEN $due_from AND $due_to
  AND end_date >= due_date
ORDER BY indicator, provider_id, due_date, recipient_id, reference
