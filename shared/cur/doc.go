// Package cur reads the AWS bill of a stage from a CUR 2.0 data export
// (AWS Data Exports, table COST_AND_USAGE_REPORT) so it can be set
// beside the cost ledger.
//
// An export is delivered as gzip/CSV or Parquet files under
// <prefix>/<export-name>/data/BILLING_PERIOD=YYYY-MM/, refreshed at least
// daily, the last billing period for up to two weeks after it ends. The
// reader takes the files of a billing period (gzip/CSV, plain CSV or
// Parquet; in S3, or in a folder laid out the same way), keeps the line
// items whose resource_tags carry the stack's cost-allocation tags
// (user_app and user_stage: the tags app and stage that infra puts on
// every resource, once activated as cost-allocation tags), and sums
// line_item_unblended_cost by usage day (the UTC date of
// line_item_usage_start_date) and service (line_item_product_code).
//
// # What counts
//
// line_item_line_item_type sorts each line item into one of four sums:
//   - usage: Usage, DiscountedUsage and SavingsPlanCoveredUsage, the
//     metered usage at its on-demand (unblended) cost. This is what the
//     ledger estimates, and what the reconciliation compares with it.
//   - credits: Credit, Refund, SavingsPlanNegation and the discounts
//     (BundledDiscount, EdpDiscount, PrivateRateDiscount,
//     DistributorDiscount, Discount): negative amounts that lower the
//     bill but not the usage.
//   - tax: Tax.
//   - fees: every other type (Fee, RIFee, SavingsPlanUpfrontFee,
//     SavingsPlanRecurringFee and any type AWS adds later), so nothing
//     read is dropped.
//
// Credits and taxes are often untagged in the bill; only the tagged ones
// are the stage's.
//
// # Rounding
//
// Cost strings are read exactly (big.Rat: decimals of any length, an
// optional sign and exponent, never a float). Parquet files hold costs
// as doubles: each is taken as the shortest decimal that reads back as
// the same double, then read like a CSV cost (parquet.go). Each sum of a
// day, service and kind is added up exactly and rounded once, to whole
// nano-dollars, halves away from zero (decimal.Round).
//
// The export must be of daily or hourly granularity (a monthly one puts
// every line item on the first of the month) and in USD, the currency of
// the ledger: a line item of the stage in another currency is an error.
// Every data file of a billing period is read and added up, so the
// export must overwrite its files (OVERWRITE_REPORT): with
// CREATE_NEW_REPORT every version stays beside the last and would be
// counted again. A Parquet file is read whole into memory (its index is
// at its end); a CSV file is streamed.
package cur
