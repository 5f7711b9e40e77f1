-- Booking core: catalogue, nightly inventory and prices, reservations,
-- idempotency receipts, staff API keys and the outbox.

CREATE TABLE hotels (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 64),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city          text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country       text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    timezone      text NOT NULL,
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    check_in_time time NOT NULL DEFAULT '15:00',
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_types (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotel_id     bigint NOT NULL REFERENCES hotels (id),
    code         text NOT NULL CHECK (code ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(code) <= 32),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    max_adults   int NOT NULL CHECK (max_adults BETWEEN 1 AND 20),
    max_children int NOT NULL CHECK (max_children BETWEEN 0 AND 20),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (hotel_id, code)
);

-- Rate plan codes are unique per hotel, so staff name a plan without its
-- room type (PUT …/rates takes only rate_plan).
CREATE TABLE rate_plans (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotel_id                bigint NOT NULL REFERENCES hotels (id),
    room_type_id            bigint NOT NULL REFERENCES room_types (id),
    code                    text NOT NULL CHECK (code ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(code) <= 32),
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    refundable              boolean NOT NULL,
    free_cancellation_hours int NOT NULL CHECK (free_cancellation_hours BETWEEN 0 AND 8760),
    penalty_percent         int NOT NULL CHECK (penalty_percent BETWEEN 0 AND 100),
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (hotel_id, code)
);
CREATE INDEX rate_plans_room_type ON rate_plans (room_type_id);

-- One row per room type per night. The CHECK is the last line of defence
-- against overbooking; the booking statement's condition is the first.
CREATE TABLE inventory (
    room_type_id bigint NOT NULL REFERENCES room_types (id),
    night        date NOT NULL,
    units        int NOT NULL CHECK (units >= 0),
    sold         int NOT NULL DEFAULT 0 CHECK (sold >= 0),
    PRIMARY KEY (room_type_id, night),
    CONSTRAINT inventory_sold_within_units CHECK (sold <= units)
);

CREATE TABLE rates (
    rate_plan_id bigint NOT NULL REFERENCES rate_plans (id),
    night        date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (rate_plan_id, night)
);

CREATE TABLE reservations (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference               text NOT NULL UNIQUE CHECK (reference ~ '^INK-[0-9A-HJKMNP-TV-Z]{6}$'),
    hotel_id                bigint NOT NULL REFERENCES hotels (id),
    room_type_id            bigint NOT NULL REFERENCES room_types (id),
    rate_plan_id            bigint NOT NULL REFERENCES rate_plans (id),
    status                  text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
    check_in                date NOT NULL,
    check_out               date NOT NULL,
    rooms                   int NOT NULL CHECK (rooms BETWEEN 1 AND 99),
    adults                  int NOT NULL CHECK (adults >= 1),
    children                int NOT NULL CHECK (children >= 0),
    guest_name              text NOT NULL,
    guest_email             text NOT NULL,
    guest_phone             text NOT NULL DEFAULT '',
    total_cents             bigint NOT NULL CHECK (total_cents >= 0),
    currency                text NOT NULL,
    refundable              boolean NOT NULL,
    free_cancellation_until timestamptz,
    penalty_percent         int NOT NULL,
    hold_expires_at         timestamptz,
    cancellation_fee_cents  bigint,
    access_token_hash       bytea NOT NULL,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    CHECK (check_out > check_in),
    CHECK (status <> 'held' OR hold_expires_at IS NOT NULL)
);
CREATE INDEX reservations_hotel_check_in ON reservations (hotel_id, check_in, id);
CREATE INDEX reservations_due_holds ON reservations (hold_expires_at) WHERE status = 'held';

-- Outcomes of idempotent commands (IETF Idempotency-Key), written in the
-- command's own transaction and replayed to retries for 24 hours.
CREATE TABLE idempotency_receipts (
    scope       text NOT NULL,
    key         text NOT NULL,
    fingerprint bytea NOT NULL,
    status      int NOT NULL,
    headers     jsonb NOT NULL DEFAULT '{}',
    body        bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE api_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role       text NOT NULL CHECK (role IN ('staff', 'admin', 'finance')),
    key_hash   bytea NOT NULL UNIQUE,
    prefix     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Domain events, written with the change that caused them and relayed to
-- the queue after commit.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type   text NOT NULL,
    aggregate_id text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
