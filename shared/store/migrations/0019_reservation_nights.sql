-- The price of one room for each night of a reservation, as booked (the
-- unit of booking.NightPrice; the total is their sum times the rooms).
-- Book writes the nights it priced with, and a modification replaces them
-- with the new stay's, in the reservation's own transaction, so the front
-- desk's record shows what the guest was charged whatever the rate plan's
-- rates became since. An early check-out shortens check_out and keeps
-- every row: the nights were booked and priced, and the booked total
-- stands (booking.CheckOut); the record marks the nights given back.
CREATE TABLE reservation_nights (
    reservation_id bigint NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
    night          date NOT NULL,
    amount_cents   bigint NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (reservation_id, night)
);

-- Backfill: prices were not kept before this migration, so a reservation
-- made before it gets its nights at the rates as the desk record read them
-- until now: the rate plan's rate today for each night of the stay as it
-- stands (check_in to check_out, so an earlier early check-out's released
-- nights are not known). A night whose rate was removed gets no row; a
-- rate changed since booking gives the new price. Reservations that have
-- rows are left alone, so the statement can be run again after the
-- release that writes the rows is out, for bookings the release before it
-- made in between.
INSERT INTO reservation_nights (reservation_id, night, amount_cents)
SELECT r.id, rt.night, rt.amount_cents
FROM reservations r
JOIN rates rt ON rt.rate_plan_id = r.rate_plan_id AND rt.night >= r.check_in AND rt.night < r.check_out
WHERE NOT EXISTS (SELECT 1 FROM reservation_nights n WHERE n.reservation_id = r.id);
