-- A hotel's taxes and fees (booking.Tax), priced line by line on every
-- offer and booking (booking.PriceStay), in position order. Staff replace
-- the whole list at once (PUT /v1/admin/hotels/{slug}/taxes). A percent
-- is exact (numeric, at most four decimals), never a float; amounts are
-- in the hotel currency's minor units. valid_to is exclusive, as every
-- range of nights; NULL is no bound.
CREATE TABLE hotel_taxes (
    hotel_id         bigint NOT NULL REFERENCES hotels (id) ON DELETE CASCADE,
    position         int NOT NULL CHECK (position >= 0),
    code             text NOT NULL CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(code) <= 32),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind             text NOT NULL CHECK (kind IN ('percent', 'per_room_night', 'per_person_night', 'per_stay')),
    vat              boolean NOT NULL DEFAULT false,
    percent          numeric(7, 4) CHECK (percent > 0 AND percent <= 100),
    amount_cents     bigint CHECK (amount_cents BETWEEN 1 AND 10000000),
    included         boolean NOT NULL DEFAULT false,
    pay_at_hotel     boolean NOT NULL DEFAULT false,
    exempt_under_age int NOT NULL DEFAULT 0 CHECK (exempt_under_age BETWEEN 0 AND 25),
    max_nights       int NOT NULL DEFAULT 0 CHECK (max_nights BETWEEN 0 AND 30),
    valid_from       date,
    valid_to         date,
    PRIMARY KEY (hotel_id, position),
    UNIQUE (hotel_id, code),
    -- A percent has a rate and no amount; the other kinds the reverse.
    CONSTRAINT hotel_taxes_percent_or_amount CHECK (
        (kind = 'percent') = (percent IS NOT NULL) AND (kind = 'percent') = (amount_cents IS NULL)),
    -- Only a percent can be inside the room price, and what is inside it
    -- is not paid apart.
    CONSTRAINT hotel_taxes_included_percent CHECK (NOT included OR (kind = 'percent' AND NOT pay_at_hotel)),
    CONSTRAINT hotel_taxes_exemption_per_person CHECK (exempt_under_age = 0 OR kind = 'per_person_night'),
    CONSTRAINT hotel_taxes_cap_per_night CHECK (max_nights = 0 OR kind IN ('per_room_night', 'per_person_night')),
    CONSTRAINT hotel_taxes_dates CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);
