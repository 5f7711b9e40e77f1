-- A rate plan's stay restrictions, one row per date that has any
-- (booking.NightRestrictions; a date without a row restricts nothing).
-- Staff set them over ranges, as rates. The lengths are in nights,
-- 1 to booking.MaxNights; NULL is no limit. The row of a date is read as
-- a night of the stay (stop-sell, min/max stay through), as its arrival
-- (closed to arrival, min/max stay on arrival) or as its check-out date
-- (closed to departure): booking.Stay.Violations decides.
CREATE TABLE stay_restrictions (
    rate_plan_id        bigint NOT NULL REFERENCES rate_plans (id) ON DELETE CASCADE,
    night               date NOT NULL,
    min_stay_arrival    int CHECK (min_stay_arrival BETWEEN 1 AND 30),
    max_stay_arrival    int CHECK (max_stay_arrival BETWEEN 1 AND 30),
    min_stay_through    int CHECK (min_stay_through BETWEEN 1 AND 30),
    max_stay_through    int CHECK (max_stay_through BETWEEN 1 AND 30),
    closed_to_arrival   boolean NOT NULL DEFAULT false,
    closed_to_departure boolean NOT NULL DEFAULT false,
    stop_sell           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (rate_plan_id, night)
);
