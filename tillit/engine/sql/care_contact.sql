-- Care contact (fast omsorgskontakt) — docs/indicators.md#care-contact.
-- One item per care episode going on at the month's last day: whether the provider had
-- assigned the recipient a care contact by then (an assignment dated in the episode, on or
-- before that day), and how many days after the episode's start the first one was.
SELECT e.provider_id, e.recipient_id, e.start_date,
       min(c.date) AS assigned_date,
       date_diff('day', e.start_date, min(c.date))::INTEGER AS days_to_assignment
FROM episodes e
LEFT JOIN care_events c
  ON c.event_type = 'care_contact_assigned' AND c.provider_id = e.provider_id
 AND c.recipient_id = e.recipient_id AND c.date BETWEEN e.start_date AND $month_end
WHERE e.start_date <= $month_end AND e.end_date >= $month_end
GROUP BY e.provider_id, e.recipient_id, e.start_date
ORDER BY e.provider_id, e.recipient_id
