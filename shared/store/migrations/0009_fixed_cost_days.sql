-- The stage's fixed cost as ledger rows: what its always-on resources
-- (RDS, RDS Proxy, ElastiCache, VPC endpoints, NAT when enabled, Secrets
-- Manager, alarms, dashboards, custom metrics, log storage) cost each
-- UTC day, priced from the region's table (shared/pricing) for the
-- resources of the synthesized stack (shared/pricing/inventory). The
-- daily job (accrue-fixed-costs) writes a day's rows together; accruing
-- the day again replaces them all (the price table or the stack may have
-- changed), it never adds a second row. One database serves one stage.
CREATE TABLE fixed_cost_days (
    day          date NOT NULL,
    -- The fixed item's name (pricing.FixedItem.Name).
    item         text NOT NULL CHECK (length(item) BETWEEN 1 AND 200),
    -- The AWS service as the bill names it (CUR line_item_product_code,
    -- e.g. AmazonRDS), so the reconciliation can compare per service.
    service      text NOT NULL CHECK (length(service) BETWEEN 1 AND 100),
    stage        text NOT NULL CHECK (length(stage) BETWEEN 1 AND 40),
    region       text NOT NULL CHECK (length(region) BETWEEN 1 AND 40),
    -- Whole nano-dollars for the day, by the item's one rule
    -- (pricing.FixedItem.Daily): an hourly item's price × units × 24,
    -- exact; a monthly item's price × quantity × 12 / 365, rounded half
    -- away from zero once.
    amount_nanos bigint NOT NULL CHECK (amount_nanos >= 0),
    -- How the amount was reached: the pricing.FixedItem as priced (unit
    -- price, units, billing rule, source).
    detail       jsonb NOT NULL DEFAULT '{}',
    accrued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, item)
);

-- The reconciliation reads a day's fixed cost per service.
CREATE INDEX fixed_cost_days_service ON fixed_cost_days (service, day);
