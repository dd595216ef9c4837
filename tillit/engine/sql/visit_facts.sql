-- The month's visits with what the indicators ask of them (docs/indicators.md, "Sources"),
-- a view: each query decodes only the columns it uses (reading is cheap; copying lists is not).
--   registered_start_local  the registered start on the Stockholm clock (the ledger holds UTC):
--                           UTC plus the offset in force, which changes at most once around a
--                           month (the one-row table `clock`, from the tz database)
--   staff_id                the staff who came: one id, or two separated by | when double-staffed
--                           (the queries that count staff split it: a list per visit would cost
--                           more than the counting)
--   codes_key               the visit's interventions as text ('A|B'), for care_sets
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
       v.staff_id,
       v.codes_key,
       date_diff('second', v.registered_start, v.registered_end)
           * CASE WHEN v.double_staffing THEN 2 ELSE 1 END AS performed_seconds
FROM ledger_visits v
CROSS JOIN clock;
