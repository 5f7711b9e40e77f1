// Package lambdalog reads and writes what the Lambda platform and
// CloudWatch Logs put around a function's own output: the platform's
// REPORT line (Report, one formatter and its parser, in the text and the
// JSON log formats), CloudWatch Logs subscription deliveries
// (EncodeSubscription, DecodeSubscription) and, in a delivery, the
// REPORT and attribution lines (shared/meter) of each invocation (Scan).
//
// The local emulator prints its REPORT lines with Report.String and
// delivers its logs with EncodeSubscription, so the cost ingestion
// (shared/costingest) reads the same bytes locally as in the cloud.
// Durations are exact to the microsecond: no value passes through a
// float (shared/decimal).
package lambdalog
