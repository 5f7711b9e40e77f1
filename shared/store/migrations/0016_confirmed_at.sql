-- When a reservation was confirmed, kept apart from updated_at: the front
-- desk's actions (check-in, check-out, no-show) move updated_at and the
-- status on, and a booking must stay counted on the day it was confirmed
-- (finance's bookings per day, unit economics). Set once, by the store, as
-- the reservation is made confirmed or its hold is confirmed. Rows before
-- this migration: a confirmed one's updated_at is its confirmation (its
-- only later change is leaving confirmed); a stay already checked in,
-- checked out or a no-show is dated by its updated_at too, the closest
-- known.
ALTER TABLE reservations ADD COLUMN confirmed_at timestamptz;
UPDATE reservations SET confirmed_at = updated_at
    WHERE status IN ('confirmed', 'checked_in', 'checked_out', 'no_show');
CREATE INDEX reservations_confirmed_on ON reservations (confirmed_at) WHERE confirmed_at IS NOT NULL;
