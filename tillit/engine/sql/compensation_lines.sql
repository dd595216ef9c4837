-- A month's statement lines from the quantities (time_rows, visit_rows, granted) and the
-- prices the compensation app resolved from the model's rules — docs/compensation.md.
-- Every quantity is an exact fraction quantity_n / quantity_d; rates are rate_n / $rate_scale
-- kronor, percents percent_n / $percent_scale; amounts are whole öre rounded half up from the
-- exact product (all terms are whole numbers, so the arithmetic is exact in HUGEINT).
--   time: performed seconds per band at the rate the band's set of interventions resolved to,
--     times the paid share (performed_capped: the cap over the performed time when it bites);
--     or granted minutes at the category's rate (basis granted);
--   visit components: per visit, per delivery, schablon and declined, from the visit counts;
--   per month: the fee for each safety-alarm customer with a decision with the provider in the
--     month (`alarm_recipients`), by the recipient's zone (`month_fees`: the version in force on
--     the month's last day);
--   regi adjustment: a percentage of each recipient's other lines (per version, rounded lines
--     summed; with the lines priced from the registers, `register_amounts`) for the regis a
--     version names (`regi_percents`); half away from zero, since it can be negative.
WITH zoned_time AS (
    SELECT t.*, coalesce(r.zone, '') AS zone FROM time_rows t LEFT JOIN recipients r USING (recipient_id)
),
performed_totals AS (
    SELECT provider_id, recipient_id, category, version_from, sum(seconds) AS seconds FROM time_rows GROUP BY ALL
),
totals AS (
    SELECT provider_id, recipient_id, category, version_from, coalesce(p.seconds, 0) AS performed_seconds,
           coalesce(g.units, 0)::HUGEINT AS granted_units, g.decisions
    FROM performed_totals p FULL JOIN granted g USING (provider_id, recipient_id, category, version_from)
),
shares AS (
    SELECT t.*, b.basis,
           b.basis = 'performed_capped' AND t.performed_seconds > 0
               AND t.granted_units * b.cap_n * 60 < $granted_den::HUGEINT * b.cap_d * 100 * t.performed_seconds AS capped,
           CASE WHEN capped THEN t.granted_units * b.cap_n * 60 ELSE 1::HUGEINT END AS share_n,
           CASE WHEN capped THEN $granted_den::HUGEINT * b.cap_d * 100 * t.performed_seconds ELSE 1::HUGEINT END AS share_d
    FROM totals t JOIN bases b USING (provider_id, version_from)
),
time_lines AS (
    SELECT t.provider_id, t.recipient_id, t.category, t.version_from, t.band, p.intervention, p.rate_n,
           sum(t.seconds) AS seconds, sum(t.visits) AS visits
    FROM zoned_time t JOIN time_prices p USING (provider_id, version_from, codes_key, category, band, zone)
    GROUP BY ALL
),
visit_lines AS (
    SELECT v.provider_id, v.recipient_id, p.component, v.version_from, p.category, v.band, p.intervention, p.unit,
           p.rate_n, p.percent_n, p.quantity_d,
           sum(CASE p.source WHEN 'visits' THEN v.visits WHEN 'occasions' THEN v.visits * v.staff
                             ELSE v.planned_seconds END::HUGEINT * p.quantity_n) AS quantity_n,
           sum(v.visits)::BIGINT AS visits, sum(v.visits * v.staff)::BIGINT AS occasions, p.minutes
    FROM visit_rows v
    LEFT JOIN recipients r USING (recipient_id)
    JOIN visit_prices p ON p.provider_id = v.provider_id AND p.version_from = v.version_from AND p.status = v.status
                       AND p.codes_key = v.codes_key AND p.band = v.band AND p.zone = coalesce(r.zone, '')
    GROUP BY ALL
),
lines AS (
    SELECT l.provider_id, l.recipient_id, 'time' AS component, l.version_from, l.category, l.band, l.intervention,
           'hour' AS unit, l.rate_n, NULL::HUGEINT AS percent_n,
           l.seconds * s.share_n AS quantity_n, 3600 * s.share_d AS quantity_d,
           s.granted_units::BIGINT AS granted_units, s.performed_seconds::BIGINT AS performed_seconds,
           l.visits::BIGINT AS visits, NULL::BIGINT AS occasions,
           CASE WHEN s.basis = 'performed_capped' THEN s.decisions END AS decisions,
           CASE WHEN s.basis = 'performed_capped' THEN s.share_n END AS share_n,
           CASE WHEN s.basis = 'performed_capped' THEN s.share_d END AS share_d, NULL AS minutes
    FROM time_lines l JOIN shares s USING (provider_id, recipient_id, category, version_from)
    WHERE s.basis <> 'granted'
    UNION ALL
    SELECT s.provider_id, s.recipient_id, 'time', s.version_from, s.category, '', '', 'hour', p.rate_n, NULL,
           s.granted_units, $granted_den::HUGEINT * 60, s.granted_units::BIGINT, s.performed_seconds::BIGINT, NULL, NULL,
           s.decisions, NULL, NULL, NULL
    FROM shares s
    LEFT JOIN recipients r USING (recipient_id)
    JOIN granted_prices p ON p.provider_id = s.provider_id AND p.version_from = s.version_from
                         AND p.category = s.category AND p.zone = coalesce(r.zone, '')
    WHERE s.basis = 'granted' AND s.granted_units > 0
    UNION ALL
    SELECT provider_id, recipient_id, component, version_from, category, band, intervention, unit, rate_n, percent_n,
           quantity_n, quantity_d, NULL, NULL, visits, occasions, NULL, NULL, NULL, minutes
    FROM visit_lines
    UNION ALL
    SELECT a.provider_id, a.recipient_id, 'per_month', f.version_from, '', '', '', 'month', f.rate_n, NULL,
           1, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM alarm_recipients a
    LEFT JOIN recipients r USING (recipient_id)
    JOIN month_fees f ON f.provider_id = a.provider_id AND f.zone = coalesce(r.zone, '')
),
priced AS (
    SELECT *,
           -- half up: ⌊(2·n + d) / (2·d)⌋ of the exact öre n / d (never negative here)
           ((2 * quantity_n * rate_n * 100 * coalesce(percent_n, 1) + quantity_d * $rate_scale
                * CASE WHEN percent_n IS NULL THEN 1 ELSE 100 * $percent_scale END)
            // (2 * quantity_d * $rate_scale * CASE WHEN percent_n IS NULL THEN 1 ELSE 100 * $percent_scale END)
           )::BIGINT AS amount_ore
    FROM lines
    WHERE quantity_n <> 0
),
subtotals AS (
    SELECT provider_id, recipient_id, version_from, sum(amount_ore) AS ore
    FROM (SELECT provider_id, recipient_id, version_from, amount_ore FROM priced
          UNION ALL SELECT provider_id, recipient_id, version_from, amount_ore FROM register_amounts)
    GROUP BY ALL
),
adjusted AS (
    SELECT t.provider_id, t.recipient_id, 'regi_adjustment' AS component, t.version_from, '' AS category,
           '' AS band, '' AS intervention, 'sum' AS unit, t.ore * ($rate_scale // 100) AS rate_n, r.percent_n,
           1::HUGEINT AS quantity_n, 1::HUGEINT AS quantity_d, NULL::BIGINT AS granted_units,
           NULL::BIGINT AS performed_seconds, NULL::BIGINT AS visits, NULL::BIGINT AS occasions,
           NULL::VARCHAR[] AS decisions, NULL::HUGEINT AS share_n, NULL::HUGEINT AS share_d, NULL AS minutes,
           (sign(t.ore * r.percent_n) * ((2 * abs(t.ore::HUGEINT * r.percent_n) + 100 * $percent_scale)
                                         // (200 * $percent_scale)))::BIGINT AS amount_ore
    FROM subtotals t JOIN regi_percents r USING (provider_id, version_from)
    WHERE t.ore <> 0
)
-- with the values as a statement stores them, half away from zero: the quantity to four
-- decimals, granted and performed minutes to two (in 1/10 000 and 1/100)
SELECT *,
       (sign(quantity_n) * ((2 * abs(quantity_n) * 10000 + quantity_d) // (2 * quantity_d)))::BIGINT AS quantity_e4,
       ((2 * granted_units::HUGEINT * 100 + $granted_den) // (2 * $granted_den::HUGEINT))::BIGINT AS granted_e2,
       ((2 * performed_seconds::HUGEINT * 100 + 60) // 120)::BIGINT AS performed_e2
FROM (SELECT * FROM priced UNION ALL SELECT * FROM adjusted)
ORDER BY provider_id, recipient_id, component, version_from, category, band, intervention, rate_n, percent_n
