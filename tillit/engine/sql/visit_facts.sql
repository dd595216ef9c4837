-- The month's visits with what the indicators ask of them (docs/indicators.md, "Sources"),
-- a view: each query decodes only the columns it uses (reading is cheap; copying lists is not).
--   registered_start_local  the registered start on the Stockholm clock (the ledger holds UTC):
--                           UTC plus the offset in force, which changes at most once around a
--                           month (the one-row table `clock`, from the tz database)
--   staff_ids               the staff who came: `staff_id`, two ids separated by | when double-staffed
--   regular_care            holds an intervention that is not a safety alarm, meal delivery or HSL
--   home_care               at a home-care unit, or at no registered unit
--   performed_seconds       registered end − start in UTC, per staff member (double staffing twice)
CREATE OR REPLACE TEMP VIEW visit_facts AS
SELECT v.provider_id,
       v.unit_id,
       v.recipient_id,
       v.status,
       v.registration_method,
       v.planned_start,
       v.registered_start,
       v.registered_end,
       v.registered_start + to_minutes(CASE WHEN v.registered_start < clock.change_at THEN clock.before_minutes
                                            ELSE clock.after_minutes END) AS registered_start_local,
       CASE WHEN v.staff_id IS NULL OR v.staff_id = '' THEN []::VARCHAR[]
            WHEN NOT contains(v.staff_id, '|') THEN [trim(v.staff_id)]  -- the usual case, without list work
            ELSE list_distinct(list_filter(list_transform(string_split(v.staff_id, '|'), lambda s: trim(s)),
                                           lambda s: s <> '')) END AS staff_ids,
       NOT list_has_all(excluded.codes, v.intervention_codes) AS regular_care,
       coalesce(u.service_type, 'home_care') = 'home_care' AS home_care,
       date_diff('second', v.registered_start, v.registered_end)
           * CASE WHEN v.double_staffing THEN 2 ELSE 1 END AS performed_seconds
FROM ledger_visits v
LEFT JOIN units u ON u.id = v.unit_id
CROSS JOIN clock
CROSS JOIN (
    SELECT coalesce(list(code), []::VARCHAR[]) AS codes
    FROM interventions
    WHERE kind IN ('safety_alarm', 'meal_delivery', 'hsl')
) excluded;
