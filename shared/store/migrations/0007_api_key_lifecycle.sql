-- API keys get a life cycle: a public id that names a key in lists, logs
-- and its own text (ink_<role>_<public id>_<secret>), an optional expiry,
-- the time of last use, and revocation through the API (revoked_at is
-- already there). Keys made before this have a public id of their own
-- here; their text keeps working, it just does not carry it. The column
-- default serves the release this one replaces, which inserts keys
-- without one during a deployment.
ALTER TABLE api_keys
    ADD COLUMN public_id text NOT NULL DEFAULT substr(md5(gen_random_uuid()::text), 1, 12),
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_public_id_key UNIQUE (public_id);

-- WebSocket tickets: a staff key buys one over HTTPS and the WebSocket
-- handshake spends it, so the key itself never travels in a URL. A
-- ticket is known by its hash, works once (DELETE … RETURNING) and for
-- 30 seconds; the key is checked again when it is spent.
CREATE TABLE ws_tickets (
    ticket_hash bytea PRIMARY KEY,
    key_id      bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX ws_tickets_expiry ON ws_tickets (expires_at);
