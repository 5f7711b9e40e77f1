-- The audit trail is read newest first, one page after another by
-- (at, id) (GET /v1/admin/audit): each index of 0012 gains the id, so a
-- page is one backward index range whatever the filter, even where rows
-- share an instant.
CREATE INDEX audit_events_at_id ON audit_events (at, id);
CREATE INDEX audit_events_reservation_at_id ON audit_events (reservation, at, id) WHERE reservation IS NOT NULL;
CREATE INDEX audit_events_hotel_at_id ON audit_events (hotel, at, id) WHERE hotel IS NOT NULL;
CREATE INDEX audit_events_actor_at_id ON audit_events (actor, at, id);
-- contract: the indexes replaced go. No code names an index; every query
-- of the release before this one (the desk record's by reservation and
-- at, the cleanup's by at) is served by the wider index that replaces it.
DROP INDEX audit_events_at;
DROP INDEX audit_events_reservation;
DROP INDEX audit_events_hotel;
DROP INDEX audit_events_actor;
