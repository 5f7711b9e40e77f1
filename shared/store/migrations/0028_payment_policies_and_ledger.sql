-- How a rate plan takes payment (booking.PaymentPolicy): guarantee saves
-- the guest's card and charges nothing when booking, deposit charges
-- deposit_percent of the booking's total then, prepay the whole total.
-- Plans that existed before are backfilled with the default for their
-- terms (booking.DefaultPolicy): guarantee when refundable, prepay when
-- not.
ALTER TABLE rate_plans
    ADD COLUMN payment_policy text NOT NULL DEFAULT 'guarantee'
        CHECK (payment_policy IN ('guarantee', 'deposit', 'prepay')),
    ADD COLUMN deposit_percent smallint NOT NULL DEFAULT 0,
    ADD CONSTRAINT rate_plans_deposit_percent CHECK (
        (payment_policy = 'deposit' AND deposit_percent BETWEEN 1 AND 99)
        OR (payment_policy <> 'deposit' AND deposit_percent = 0));

UPDATE rate_plans SET payment_policy = 'prepay' WHERE NOT refundable;

-- The payments ledger: every movement of money for a reservation, one
-- row each, never updated in place (a later state is a row of its own).
-- amount_cents is always positive in the currency's minor units; the
-- kind gives the sign: charge and fee bring money in, refund gives it
-- back, and failure, authorization and setup move none (a declined
-- charge, an amount held on the card, a card saved for later).
-- idempotency_key is the key the provider was called with, so a retried
-- booking, a replayed webhook or two racing requests record a movement
-- once (booking.Payment).
CREATE TABLE payments (
    id bigserial PRIMARY KEY,
    reservation_id bigint NOT NULL REFERENCES reservations (id),
    kind text NOT NULL CHECK (kind IN ('charge', 'refund', 'fee', 'failure', 'authorization', 'setup')),
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    provider text NOT NULL DEFAULT 'stripe' CHECK (length(provider) BETWEEN 1 AND 32),
    provider_ref text NOT NULL DEFAULT '' CHECK (length(provider_ref) <= 255),
    status text NOT NULL CHECK (length(status) BETWEEN 1 AND 64),
    idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    failure_code text NOT NULL DEFAULT '' CHECK (length(failure_code) <= 255),
    failure_message text NOT NULL DEFAULT '' CHECK (length(failure_message) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX payments_by_reservation ON payments (reservation_id, created_at, id);
