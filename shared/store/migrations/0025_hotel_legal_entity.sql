-- A hotel's legal entity, as every invoice names its seller: the legal
-- name, the address and the tax id (VAT number), and the prefix of its
-- invoice numbers ("LR" makes LR-2026-000001). Legal name, address and
-- tax id are empty until staff set them (an invoice then names the
-- hotel as the seller). The prefix is never empty: a hotel created
-- without one, by this release or the one before, gets one from its slug
-- (the initials of its words, or its first three letters), with its id
-- appended when another hotel has it already; existing hotels get theirs
-- the same way here.
ALTER TABLE hotels
	ADD COLUMN legal_name text NOT NULL DEFAULT '',
	ADD COLUMN legal_address text NOT NULL DEFAULT '',
	ADD COLUMN tax_id text NOT NULL DEFAULT '',
	ADD COLUMN invoice_prefix text;

CREATE FUNCTION hotel_invoice_prefix(slug text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN CASE WHEN position('-' IN slug) = 0 THEN upper(left(slug, 3))
		ELSE upper(left((SELECT string_agg(left(part, 1), '' ORDER BY n)
			FROM regexp_split_to_table(slug, '-') WITH ORDINALITY AS t(part, n)), 6)) END;

CREATE FUNCTION hotels_default_invoice_prefix() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.invoice_prefix IS NULL OR NEW.invoice_prefix = '' THEN
		NEW.invoice_prefix := hotel_invoice_prefix(NEW.slug);
		IF EXISTS (SELECT 1 FROM hotels WHERE invoice_prefix = NEW.invoice_prefix) THEN
			NEW.invoice_prefix := NEW.invoice_prefix || NEW.id;
		END IF;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER hotels_default_invoice_prefix BEFORE INSERT ON hotels
	FOR EACH ROW EXECUTE FUNCTION hotels_default_invoice_prefix();

UPDATE hotels h SET invoice_prefix = p.prefix
FROM (SELECT id, CASE WHEN count(*) OVER (PARTITION BY base) > 1 AND id <> min(id) OVER (PARTITION BY base)
		THEN base || id ELSE base END AS prefix
	FROM (SELECT id, hotel_invoice_prefix(slug) AS base FROM hotels) b) p
WHERE h.id = p.id;

ALTER TABLE hotels
	ADD CONSTRAINT hotels_invoice_prefix_key UNIQUE (invoice_prefix),
	ADD CONSTRAINT hotels_invoice_prefix_set CHECK (invoice_prefix IS NOT NULL AND invoice_prefix <> '');
