-- The stage's AWS bill beside the ledger: what the CUR 2.0 data export
-- charged the stage (its line items tagged app and stage) for each
-- service and UTC usage day, read daily by the reconcile-bill job
-- (shared/cur). A billing period read again replaces every row of that
-- period, so a day or service AWS corrected away does not linger.
-- Amounts are whole nano-dollars, each the exact sum of the day's line
-- items rounded once, halves away from zero.
CREATE TABLE bill_days (
    -- The bill's month, YYYY-MM (bill_billing_period_start_date).
    billing_period text NOT NULL CHECK (billing_period ~ '^[0-9]{4}-[0-9]{2}$'),
    -- The UTC date of line_item_usage_start_date.
    day            date NOT NULL,
    -- line_item_product_code, e.g. AWSLambda.
    service        text NOT NULL CHECK (length(service) BETWEEN 1 AND 100),
    currency       text NOT NULL DEFAULT 'USD' CHECK (currency = 'USD'),
    -- Usage, DiscountedUsage and SavingsPlanCoveredUsage at their
    -- unblended cost: what the ledger estimates.
    usage_nanos    bigint NOT NULL,
    -- Credits, refunds, discounts and savings plan negations (≤ 0).
    credit_nanos   bigint NOT NULL DEFAULT 0,
    tax_nanos      bigint NOT NULL DEFAULT 0,
    -- Every other line item type (fees).
    fee_nanos      bigint NOT NULL DEFAULT 0,
    -- The export's data files the day's line items came from.
    source_files   text[] NOT NULL DEFAULT '{}',
    read_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (billing_period, day, service)
);
CREATE INDEX bill_days_day ON bill_days (day);
