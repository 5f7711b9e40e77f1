-- Notifications sent per reservation and kind: the unique key makes a
-- redelivered event send nothing twice.
CREATE TABLE notifications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reservation_id bigint NOT NULL REFERENCES reservations (id),
    kind           text NOT NULL,
    message_id     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    UNIQUE (reservation_id, kind)
);

-- The last run of each scheduled job, for /health.
CREATE TABLE job_runs (
    job               text PRIMARY KEY,
    last_started_at   timestamptz,
    last_succeeded_at timestamptz,
    last_failed_at    timestamptz,
    last_error        text NOT NULL DEFAULT '',
    last_result       jsonb NOT NULL DEFAULT '{}'
);

-- The sweep looks for unpublished events by age.
CREATE INDEX outbox_unpublished_by_age ON outbox (created_at) WHERE published_at IS NULL;
