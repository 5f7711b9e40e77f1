-- The front desk's statuses: checked_in, checked_out and no_show join the
-- reservation's life (booking's status table says how), with the instants
-- of arrival and departure and the fee a no-show was charged. The widened
-- CHECK accepts every row the old one did.
-- contract: the status CHECK is dropped only to be replaced by a wider one in the same migration; every status the running release writes stays valid.
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
    CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired', 'checked_in', 'checked_out', 'no_show'));
ALTER TABLE reservations
    ADD COLUMN checked_in_at     timestamptz,
    ADD COLUMN checked_out_at    timestamptz,
    ADD COLUMN no_show_fee_cents bigint CHECK (no_show_fee_cents >= 0),
    ADD CONSTRAINT reservations_checked_in_at CHECK (status NOT IN ('checked_in', 'checked_out') OR checked_in_at IS NOT NULL),
    ADD CONSTRAINT reservations_checked_out_at CHECK (status <> 'checked_out' OR checked_out_at IS NOT NULL);
