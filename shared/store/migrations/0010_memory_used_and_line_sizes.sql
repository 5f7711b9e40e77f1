-- expand: what the ledger keeps of each invocation's memory and logs.
--
-- max_memory_mb is the REPORT line's Max Memory Used: the peak resident
-- memory of the invocation, which the memory report (GET
-- /v1/finance/memory) sets against the configured size (memory_mb).
-- NULL for rows written before it was kept, and left out of the report.
ALTER TABLE invocation_costs
    ADD COLUMN max_memory_mb int CHECK (max_memory_mb BETWEEN 0 AND 10240);

-- The memory report reads a time range per function.
CREATE INDEX invocation_costs_function_ended_at ON invocation_costs (function, ended_at)
    WHERE max_memory_mb IS NOT NULL;

-- bytes is the attribution line's own size (its log event's message):
-- with the bytes the function logged before it (log_bytes on the line),
-- what the invocation ingested into CloudWatch Logs. NULL for lines kept
-- before it was recorded.
ALTER TABLE cost_attribution_lines
    ADD COLUMN bytes int CHECK (bytes >= 0);
