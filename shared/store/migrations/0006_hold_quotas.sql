-- Quotas on unpaid holds (booking.HoldQuota). A hold records the key its
-- guest's email is counted under (booking.EmailKey: lower case, no
-- "+tag"); rows written before this migration, or by the release it
-- replaces during a deployment, have none and count for no one.
ALTER TABLE reservations ADD COLUMN guest_email_key text;
UPDATE reservations SET guest_email_key = lower(guest_email) WHERE status = 'held';

-- A new hold counts its email's active holds and, per night, the units
-- of its room type held unpaid; holds are few at any time, so both read
-- small partial indexes.
CREATE INDEX reservations_holds_by_email ON reservations (guest_email_key) WHERE status = 'held';
CREATE INDEX reservations_holds_by_room_type ON reservations (room_type_id, check_in) WHERE status = 'held';
