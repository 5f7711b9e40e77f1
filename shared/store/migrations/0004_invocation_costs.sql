-- The cost ledger for finance: one row per priced invocation, written by
-- costingest from the platform's REPORT lines joined with the functions'
-- attribution lines (cost.Record). The request id is the key, so a log
-- batch delivered twice is counted once (INSERT … ON CONFLICT DO NOTHING).
-- Money is whole nano-dollars (bigint), summed exactly in SQL.

CREATE TABLE invocation_costs (
    request_id   text PRIMARY KEY CHECK (length(request_id) BETWEEN 1 AND 200),
    function     text NOT NULL CHECK (length(function) BETWEEN 1 AND 140),
    arch         text NOT NULL CHECK (arch IN ('arm64', 'x86_64')),
    -- The route key ("GET /v1/hotels/{slug}"), queue or schedule; none
    -- for a direct invocation.
    trigger      text,
    trigger_kind text NOT NULL,
    hotel        text,
    reservations text[] NOT NULL DEFAULT '{}',
    -- An opaque key of the caller, which links a booking to the searches
    -- before it.
    client       text,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz NOT NULL,
    billed_ms    bigint NOT NULL CHECK (billed_ms >= 0),
    memory_mb    int NOT NULL CHECK (memory_mb BETWEEN 128 AND 10240),
    init_ms      bigint NOT NULL DEFAULT 0 CHECK (init_ms >= 0),
    cost_nanos   bigint NOT NULL CHECK (cost_nanos >= 0),
    -- The line items (cost.LineItem, amounts as decimal strings); their
    -- amounts add up to cost_nanos.
    breakdown    jsonb NOT NULL CHECK (jsonb_typeof(breakdown) = 'array'),
    attributed   boolean NOT NULL,
    ingested_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at >= started_at)
);

-- Every report reads a time range of ended_at.
CREATE INDEX invocation_costs_ended_at ON invocation_costs (ended_at);
-- A booking's cost receipt: reservations @> ARRAY[reference].
CREATE INDEX invocation_costs_reservations ON invocation_costs USING gin (reservations);
-- The availability searches a client made before booking.
CREATE INDEX invocation_costs_searches ON invocation_costs (client, hotel, started_at)
    WHERE trigger = 'GET /v1/hotels/{slug}/availability';
-- Bookings confirmed in a range: a confirmed reservation's updated_at is
-- when it was confirmed (confirmed is left only by a cancellation).
CREATE INDEX reservations_confirmed_at ON reservations (updated_at) WHERE status = 'confirmed';
