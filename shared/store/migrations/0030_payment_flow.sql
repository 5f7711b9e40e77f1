-- What a reservation's payment flow keeps beside the ledger (package
-- cashier): payment_intent is the provider's id of the payment or card
-- saving the reservation is waiting on (pi_… or seti_…, NULL when none
-- is pending), so that a hold that expires cancels it; payment_customer
-- and payment_method are the card a guarantee saved (or a payment
-- used), charged off-session for a late cancellation or a no-show.
ALTER TABLE reservations
    ADD COLUMN payment_intent text CHECK (length(payment_intent) BETWEEN 1 AND 255),
    ADD COLUMN payment_customer text CHECK (length(payment_customer) BETWEEN 1 AND 255),
    ADD COLUMN payment_method text CHECK (length(payment_method) BETWEEN 1 AND 255);

-- A refund names the payment it gives back from (pi_…), so what is left
-- of each payment to refund is its charge minus the refunds naming it.
ALTER TABLE payments
    ADD COLUMN refund_of text NOT NULL DEFAULT '' CHECK (length(refund_of) <= 255);

-- The provider's webhook events as received, once each: the id is the
-- provider's (evt_…), so a replayed delivery inserts nothing. The
-- payload is the verified body; processed_at is set once the worker has
-- settled what the event says (processing is idempotent, so a crash in
-- between only processes it again).
CREATE TABLE payment_events (
    id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
    provider text NOT NULL DEFAULT 'stripe',
    type text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
    reservation text NOT NULL DEFAULT '',
    payload jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
