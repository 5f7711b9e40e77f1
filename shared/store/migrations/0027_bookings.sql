-- A booking groups the reservations a guest took together in one request,
-- one reservation per room line (a double and a twin for a family), as
-- apaleo's bookings do. Each line stays a full reservation, with its own
-- reference, room type, rate plan, occupancy, price, status and terms, so
-- every command on a reservation works on a line unchanged; the booking
-- keeps what the lines share: the guest and the access token, whose hash
-- every line carries too so that the guest's one token opens each of
-- them. A booking's reference has a reservation's shape; the store never
-- gives a booking a reference a reservation holds (store.BookLines).
CREATE TABLE bookings (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference         text NOT NULL UNIQUE CHECK (reference ~ '^INK-[0-9A-HJKMNP-TV-Z]{6}$'),
    hotel_id          bigint NOT NULL REFERENCES hotels (id),
    guest_name        text NOT NULL,
    guest_email       text NOT NULL,
    guest_phone       text NOT NULL DEFAULT '',
    access_token_hash bytea NOT NULL,
    created_at        timestamptz NOT NULL
);

-- A line's booking and its number in it, from 1; NULL for a reservation
-- booked alone. The lines of a booking are all inserted in its one
-- transaction, so a booking never has some of its lines.
ALTER TABLE reservations
    ADD COLUMN booking_id bigint REFERENCES bookings (id),
    ADD COLUMN line_no smallint CHECK (line_no >= 1),
    ADD CONSTRAINT reservations_booking_line CHECK ((booking_id IS NULL) = (line_no IS NULL));

CREATE UNIQUE INDEX reservations_booking_lines ON reservations (booking_id, line_no) WHERE booking_id IS NOT NULL;
