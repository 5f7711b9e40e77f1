-- A hotel's child age bands (booking.AgeBands): children are priced by
-- the band their age on check-in falls in, and a guest older than the
-- oldest band counts as an adult. Staff replace the whole list (PUT
-- /v1/admin/hotels/{slug}/age-bands); the domain keeps it contiguous,
-- youngest first, within 0..17, under a lock on the hotel's row.
CREATE TABLE hotel_age_bands (
    hotel_id bigint NOT NULL REFERENCES hotels (id) ON DELETE CASCADE,
    code     text NOT NULL CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(code) <= 32),
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    min_age  smallint NOT NULL CHECK (min_age BETWEEN 0 AND 17),
    max_age  smallint NOT NULL CHECK (max_age BETWEEN min_age AND 17),
    PRIMARY KEY (hotel_id, code),
    UNIQUE (hotel_id, min_age)
);

-- How a rate plan prices the guests of a room on top of its nightly
-- rate (booking.Occupancy). The defaults price exactly the rate, as
-- every plan did before: base_occupancy 0 is a rate that covers every
-- adult the room takes. extra_child_cents maps an age band's code to
-- the cents each child of that band pays a night; a band not listed is
-- free.
ALTER TABLE rate_plans
    ADD COLUMN base_occupancy smallint NOT NULL DEFAULT 0 CHECK (base_occupancy BETWEEN 0 AND 20),
    ADD COLUMN extra_adult_cents bigint NOT NULL DEFAULT 0 CHECK (extra_adult_cents >= 0),
    ADD COLUMN extra_child_cents jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(extra_child_cents) = 'object'),
    ADD COLUMN single_occupancy_discount_cents bigint NOT NULL DEFAULT 0 CHECK (single_occupancy_discount_cents >= 0);

-- A night of a reservation now costs what its rooms and their guests
-- cost together (booking.PriceNights), no longer the rate times the
-- rooms: rooms_cents keeps that amount beside amount_cents, which stays
-- one room's rate. Rows written before (or by a release that does not
-- know the column) are NULL and read as amount_cents × rooms, which is
-- what they were priced at.
ALTER TABLE reservation_nights
    ADD COLUMN rooms_cents bigint CHECK (rooms_cents >= 0);
