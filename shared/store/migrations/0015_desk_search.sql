-- The front desk finds a hotel's reservations by reference, guest email or
-- guest name, whatever the case and accents ("joao" finds "João"). One
-- folded text per reservation is searched for the words typed, as a
-- substring; a trigram index serves the substring search.
--
-- The extensions live in public, once per database (tests migrate many
-- schemas of one database at once: the lock makes the first one create
-- them and the others find them). Both are trusted extensions, on RDS too.
SELECT pg_advisory_xact_lock(hashtext('innkeeper.extensions'));
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

-- desk_fold is unaccent and lower as one immutable function, so it can be
-- indexed: unaccent itself is only stable, as its dictionary could change.
-- The dictionary is named with its schema and the body is parsed now, so
-- the function works under any search_path.
CREATE FUNCTION desk_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));

CREATE INDEX reservations_desk_search ON reservations
    USING gin (desk_fold(reference || ' ' || guest_email || ' ' || guest_name) public.gin_trgm_ops);
