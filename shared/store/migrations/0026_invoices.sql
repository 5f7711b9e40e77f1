-- Invoices and credit notes, numbered without gaps per hotel, kind of
-- document and year (the issue date's year at the hotel): a Portuguese
-- (and EU) invoice series is one per document type, so credit notes run
-- their own series, LR-CN-2026-000001 beside LR-2026-000001.
--
-- A number is taken inside the transaction that issues the document, by
-- the upsert on invoice_series: its row lock makes concurrent issuers
-- take turns, and a rollback gives the number back, so numbers are
-- unique and none is skipped.
CREATE TABLE invoice_series (
	hotel_id bigint NOT NULL REFERENCES hotels (id),
	kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
	year int NOT NULL,
	last_number int NOT NULL,
	PRIMARY KEY (hotel_id, kind, year)
);

-- An invoice is never updated once issued: a correction is a credit
-- note that refers_to it. seller is the hotel's legal entity as it was
-- at issue; lines, vat and payments are the document as issued (see
-- booking.Invoice).
CREATE TABLE invoices (
	id bigserial PRIMARY KEY,
	hotel_id bigint NOT NULL REFERENCES hotels (id),
	number text NOT NULL UNIQUE,
	kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
	year int NOT NULL,
	sequence int NOT NULL CHECK (sequence > 0),
	purpose text NOT NULL,
	reservation_id bigint NOT NULL REFERENCES reservations (id),
	refers_to bigint REFERENCES invoices (id),
	issued_at timestamptz NOT NULL,
	currency text NOT NULL,
	seller jsonb NOT NULL,
	buyer jsonb NOT NULL,
	lines jsonb NOT NULL,
	vat jsonb NOT NULL,
	net_cents bigint NOT NULL,
	vat_cents bigint NOT NULL,
	total_cents bigint NOT NULL,
	payments jsonb NOT NULL,
	UNIQUE (hotel_id, kind, year, sequence),
	CHECK ((kind = 'credit_note') = (refers_to IS NOT NULL))
);

CREATE INDEX invoices_reservation ON invoices (reservation_id, id);

-- Issued is final: the database refuses to change or remove a document,
-- whoever asks. A series row only ever counts up, through the upsert.
CREATE FUNCTION invoices_immutable() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'invoice %: an issued invoice or credit note never changes; issue a credit note', OLD.number
		USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
	FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
