-- The stage's fixed cost as ledger rows: what its always-on resources
-- (RDS, RDS Proxy, ElastiCache, VPC endpoints, NAT when enabled, Secrets
-- Manager, alarms, dashboards, custom metrics, log storage) cost each
-- UTC day, priced from the region's table (shared/pricing) for the
-- resources of the synthesized stack. A daily job accrues a day once per
-- item; accruing it again replaces the figure (the price table or the
-- stack may have changed), it never adds a second row.
CREATE TABLE fixed_cost_days (
    day          date NOT NULL,
    -- The fixed item's name (pricing.FixedItem.Name).
    item         text NOT NULL CHECK (length(item) BETWEEN 1 AND 200),
    -- The AWS service as the bill names it (CUR line_item_product_code,
    -- e.g. AmazonRDS), so the reconciliation can compare per service.
    service      text NOT NULL CHECK (length(service) BETWEEN 1 AND 100),
    stage        text NOT NULL CHECK (length(stage) BETWEEN 1 AND 40),
    region       text NOT NULL CHECK (length(region) BETWEEN 1 AND 40),
    -- Whole nano-dollars for the day: the monthly amount × 12 / 365,
    -- rounded half up once (the rule is pricing's, written beside it).
    amount_nanos bigint NOT NULL CHECK (amount_nanos >= 0),
    -- How the amount was reached: unit price, quantity, hours.
    detail       jsonb NOT NULL DEFAULT '{}',
    accrued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, item)
);
