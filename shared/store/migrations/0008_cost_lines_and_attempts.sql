-- contract: the ledger's key becomes (request_id, attempt), so an
-- asynchronous retry, which keeps its request id, is counted; costingest
-- is the table's only writer and ships with this migration (a delivery
-- the release before fails on its ON CONFLICT is retried by Lambda and
-- taken by this one).
--
-- The two halves of an invocation's cost, the platform's REPORT line and
-- the function's attribution lines, come in separate log deliveries
-- whenever they straddle a batch. Each is kept here as it comes, keyed
-- on its log event id (a redelivered line is one row), and the ledger
-- row of the invocation is priced again from every half held for its
-- request id whenever another half arrives, whatever the order and
-- however far apart.

CREATE TABLE cost_report_lines (
    event_id    text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 200),
    request_id  text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 200),
    logged_at   timestamptz NOT NULL,
    -- The REPORT line as read (lambdalog.Report), with the function and
    -- the bytes the delivery logged for it.
    report      jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cost_report_lines_request ON cost_report_lines (request_id);

CREATE TABLE cost_attribution_lines (
    event_id    text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 200),
    request_id  text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 200),
    phase       text NOT NULL CHECK (phase IN ('start', 'end')),
    logged_at   timestamptz NOT NULL,
    -- The attribution line as read (meter.Attribution).
    line        jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cost_attribution_lines_request ON cost_attribution_lines (request_id);

-- attempt: 1, 2, … for the REPORT lines of a request id in the order
-- logged. attribution: which line attributed the row (none, the start
-- line only, the end line); a row is only replaced by one that knows as
-- much or more. report_event_id: the REPORT line priced.
ALTER TABLE invocation_costs
    ADD COLUMN attempt int NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    ADD COLUMN attribution text NOT NULL DEFAULT 'end' CHECK (attribution IN ('none', 'start', 'end')),
    ADD COLUMN report_event_id text;
UPDATE invocation_costs SET attribution = 'none' WHERE NOT attributed;
ALTER TABLE invocation_costs DROP CONSTRAINT invocation_costs_pkey;
ALTER TABLE invocation_costs ADD PRIMARY KEY (request_id, attempt);
