-- Granted time per recipient, category and model version of the month — PRODUCT.md, "Granted
-- time"; docs/compensation.md#granted-time.
--   every granted intervention of a decision with the provider, over the days of the version
--   it is active on; summed in whole numbers (the same exact sum as tillit.common.granted_time):
--   weight (per decision, category and period: the sum of minutes × 100 × frequency × 10 000 ×
--   staff) times 7·days / days of its period, per day: units of 1 / (10**6 · 7 · days in the
--   month) minutes;
--   decisions: the case-system numbers of the decisions behind the time.
SELECT d.provider_id, d.recipient_id, d.category, s.version_from,
       sum(d.weight::HUGEINT * CASE d.period WHEN 'day' THEN 7 * $days WHEN 'week' THEN $days ELSE 7 END
           * (date_diff('day', greatest(s.first_day, d.start_date),
                        least(s.until_day - 1, coalesce(d.end_date, s.until_day - 1))) + 1)) AS units,
       list_sort(list_distinct(list(d.number))) AS decisions
FROM decision_lines d
JOIN versions s ON s.provider_id = d.provider_id AND d.start_date < s.until_day
               AND (d.end_date IS NULL OR d.end_date >= s.first_day)
GROUP BY ALL
