-- Care episodes: a recipient's time with one provider in one form of care (home care or
-- nursing home), from the first decision's start to the last one's end, with decisions that
-- overlap or follow the day after merged — docs/indicators.md#deadlines.
-- A renewed decision is not a new start: it owes no new welcome call or plan.
CREATE OR REPLACE TEMP VIEW episodes AS
WITH spans AS (
    SELECT recipient_id, provider_id, nursing_home, start_date,
           coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM decisions
),
marked AS (
    SELECT *,
           CASE WHEN start_date <= max(end_date) OVER earlier + 1 THEN 0 ELSE 1 END AS opens
    FROM spans
    WINDOW earlier AS (PARTITION BY recipient_id, provider_id, nursing_home ORDER BY start_date, end_date
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
numbered AS (
    SELECT *,
           sum(opens) OVER (PARTITION BY recipient_id, provider_id, nursing_home ORDER BY start_date, end_date
                            ROWS UNBOUNDED PRECEDING) AS episode
    FROM marked
)
SELECT recipient_id, provider_id, nursing_home, min(start_date) AS start_date, max(end_date) AS end_date
FROM numbered
GROUP BY recipient_id, provider_id, nursing_home, episode;
