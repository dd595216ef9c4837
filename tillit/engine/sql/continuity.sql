-- Staff continuity (personalkontinuitet), Socialstyrelsen's method — docs/indicators.md#continuity.
--
-- One observation per provider, recipient and 14-day period. The month's periods are its
-- days 1–14 and 15–28 (local dates). A recipient is observed in a period when
--   * aged 65 or more on the period's first day,
--   * with at least two counted visits on every one of the 14 days;
-- counted visits are performed home-care visits with a registered start from 07:00 to 21:59
-- local time holding some intervention other than a safety alarm, meal delivery or HSL.
-- The figure is the number of different staff on the counted visits of the period.
-- The unit is the one that made most of the counted visits (the lowest id on a tie); visits
-- without a unit count as a unit of their own, so when they are the most the unit is none.
WITH periods AS (
    SELECT $month_start::DATE AS period_start
    UNION ALL
    SELECT $month_start::DATE + 14
),
counted AS MATERIALIZED (
    SELECT v.provider_id, v.unit_id, v.recipient_id, v.staff_id, p.period_start,
           v.registered_start_local::DATE AS day
    FROM visit_facts v
    JOIN periods p
      ON v.registered_start_local::DATE BETWEEN p.period_start AND p.period_start + 13
    WHERE v.status = 'performed'
      AND v.registered_start IS NOT NULL
      AND hour(v.registered_start_local) BETWEEN 7 AND 21
      AND v.codes_key IN (SELECT codes_key FROM care_sets WHERE regular_care)
      -- home care: at a home-care unit, or at no registered unit
      AND (v.unit_id IS NULL OR v.unit_id NOT IN (SELECT id FROM units WHERE service_type <> 'home_care'))
),
busy_days AS (
    SELECT provider_id, recipient_id, period_start, day
    FROM counted
    GROUP BY ALL
    HAVING count(*) >= 2
),
observed AS (
    SELECT b.provider_id, b.recipient_id, b.period_start
    FROM busy_days b
    JOIN recipients r ON r.id = b.recipient_id
    WHERE r.birth_date + INTERVAL 65 YEAR <= b.period_start
    GROUP BY ALL
    HAVING count(*) = 14
),
unit_visits AS (
    SELECT c.provider_id, c.recipient_id, c.period_start, c.unit_id, count(*) AS visits
    FROM counted c
    SEMI JOIN observed o USING (provider_id, recipient_id, period_start)
    GROUP BY ALL
),
main_unit AS (
    SELECT provider_id, recipient_id, period_start,
           arg_max_null(unit_id, visits * 1000000000 - coalesce(unit_id, 0)) AS unit_id,
           sum(visits) AS visits
    FROM unit_visits
    GROUP BY ALL
),
staff_met AS (
    SELECT provider_id, recipient_id, period_start, count(DISTINCT staff) AS staff
    FROM (SELECT c.provider_id, c.recipient_id, c.period_start, trim(unnest(string_split(c.staff_id, '|'))) AS staff
          FROM counted c
          SEMI JOIN observed o USING (provider_id, recipient_id, period_start))
    WHERE staff <> ''
    GROUP BY ALL
)
SELECT m.provider_id, m.unit_id, m.recipient_id, m.period_start, m.visits::INTEGER AS visits,
       coalesce(s.staff, 0)::INTEGER AS staff
FROM main_unit m
LEFT JOIN staff_met s USING (provider_id, recipient_id, period_start)
ORDER BY m.provider_id, m.period_start, m.recipient_id
