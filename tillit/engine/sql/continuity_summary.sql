-- Staff continuity per provider and per unit: mean, median and the share of observations
-- with more than 20 different staff — docs/indicators.md#continuity.
-- Input: the observations of continuity.sql, one per recipient and 14-day period.
SELECT provider_id,
       unit_id,
       grouping(unit_id) = 0 AS by_unit,
       count(*) AS observations,
       sum(staff) AS staff_total,
       median(staff) AS staff_median,
       count(*) FILTER (WHERE staff > 20) AS over_20
FROM continuity_observations
GROUP BY GROUPING SETS ((provider_id), (provider_id, unit_id))
