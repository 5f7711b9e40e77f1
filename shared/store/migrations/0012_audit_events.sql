-- The audit trail: every write by staff, guests, the system and the jobs,
-- with who did it, what, to which reservation or catalogue item, and the
-- values before and after. Kept for a year (the cleanup job purges older
-- rows; it is not purged with the outbox). Rows are only ever inserted.
CREATE TABLE audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    -- Who: an API key (its public id and role), a guest (by reservation
    -- access), the system (the API on its own account) or a job.
    actor_kind   text NOT NULL CHECK (actor_kind IN ('api_key', 'guest', 'system', 'job')),
    actor        text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    actor_role   text,
    -- What: e.g. reservation.check_in, reservation.cancel, hotel.update.
    action       text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    hotel        text,
    reservation  text,
    -- The catalogue item or other entity written, when not a reservation:
    -- its kind (hotel, room_type, rate_plan, api_key) and key.
    entity_kind  text,
    entity_key   text,
    before       jsonb,
    after        jsonb,
    -- Why, when given (a cancellation reason).
    reason       text CHECK (length(reason) <= 500),
    request_id   text
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_reservation ON audit_events (reservation, at) WHERE reservation IS NOT NULL;
CREATE INDEX audit_events_hotel ON audit_events (hotel, at) WHERE hotel IS NOT NULL;
CREATE INDEX audit_events_actor ON audit_events (actor, at);
