-- The night audit closes each hotel's business day once its cutoff has
-- passed (hotel local time, on the morning after the day): it marks the
-- no-shows and keeps the day's report. The cutoff is a time of day, the
-- business date the hotel's calendar date that just ended.
ALTER TABLE hotels ADD COLUMN night_audit_time time NOT NULL DEFAULT '03:00';

-- One row per hotel and business date. A run claims the row first
-- (claimed_at) and fills ran_at and report when done, so two runs at
-- once audit a day once; a claim left without a report (a run that
-- crashed) may be taken again after a lease (shared/store/nightaudit.go).
CREATE TABLE night_audits (
    hotel_id      bigint NOT NULL REFERENCES hotels (id),
    business_date date NOT NULL,
    claimed_at    timestamptz NOT NULL,
    ran_at        timestamptz,
    report        jsonb,
    PRIMARY KEY (hotel_id, business_date),
    CHECK ((ran_at IS NULL) = (report IS NULL))
);

-- A hotel that no longer trades is archived, not deleted: it is not
-- offered nor bookable, while staff still see it and manage its
-- bookings. The booking statement reads it under the same share lock as
-- the room type's and rate plan's archived_at.
ALTER TABLE hotels ADD COLUMN archived_at timestamptz;
