-- Granted seconds per provider and recipient in the month — PRODUCT.md, "Granted time";
-- docs/indicators.md#performed-granted. From granted_lines (every granted intervention of
-- every decision, in whole units: minutes × 100 × frequency × 10 000 × staff a period).
--   The same exact sum as tillit.common.granted_time (tests/engine/test_reference.py holds
--   them equal), in integers: a line's rate per day is units · 7·days / (days in its period),
--   counted in units of 1 / (10**6 · 7 · days in the month) minutes, a common denominator of
--   the day, week and month rates; over the days the line is active in the month.
--   The total is rounded half up to whole seconds, far below what any figure shows.
--   A line active in the month gives its recipient a row even when its time is 0.
SELECT provider_id, recipient_id,
       ((2 * 60 * sum(units::HUGEINT * CASE period WHEN 'day' THEN 7 * $days WHEN 'week' THEN $days ELSE 7 END
                      * (date_diff('day', greatest($first_day::DATE, active_from),
                                   least($last_day::DATE, coalesce(active_to, $last_day::DATE))) + 1))
         + 1000000 * 7 * $days) // (2 * 1000000 * 7 * $days))::BIGINT AS granted_seconds
FROM granted_lines
WHERE active_from <= $last_day::DATE AND (active_to IS NULL OR active_to >= $first_day::DATE)
GROUP BY ALL
