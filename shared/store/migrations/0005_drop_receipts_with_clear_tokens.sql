-- The responses kept for idempotency used to be stored in clear, and a new
-- booking's response holds the guest's access token. They are sealed now
-- (AES-GCM under a key derived from APP_KEY, shared/keyring), and anonymous
-- callers' keys are scoped per client address instead of the one "public"
-- scope. The receipts written before that are dropped when they hold a
-- token: no request reaches the "public" scope any more, and a token must
-- not stay readable in the database until the receipt expires. A sealed
-- body starts with a NUL byte, which JSON in clear never does.
DELETE FROM idempotency_receipts
WHERE substring(body FROM 1 FOR 1) <> '\x00'::bytea
  AND position('"access_token"'::bytea IN body) > 0;
