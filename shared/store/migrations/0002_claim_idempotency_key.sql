-- claim_idempotency_key takes a transaction-level advisory lock on an
-- idempotency key's hash without waiting, and raises SQLSTATE IK409 when
-- another transaction holds it. Raising (rather than returning false)
-- lets the claim go out in the same round trip as BEGIN and the first
-- statements: in a pipeline an error skips everything after it, so a
-- request whose key is in flight touches nothing and waits on nothing.
CREATE FUNCTION claim_idempotency_key(key_hash bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(key_hash) THEN
        RAISE EXCEPTION 'idempotency key in flight' USING ERRCODE = 'IK409';
    END IF;
END
$$;
