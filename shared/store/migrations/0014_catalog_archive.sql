-- Catalogue edits: a room type or rate plan that is no longer sold is
-- archived, not deleted, so the reservations that name it keep their
-- history. An archived item is not offered and cannot be booked; the
-- booking statement locks the rate plan and room type rows FOR SHARE and
-- reads archived_at there, so an archive and a booking cannot cross.
ALTER TABLE room_types ADD COLUMN archived_at timestamptz;
ALTER TABLE rate_plans ADD COLUMN archived_at timestamptz;
