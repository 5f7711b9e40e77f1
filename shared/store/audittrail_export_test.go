package store

// AuditTrailQuery exposes the audit trail's query to the tests that
// check its plan.
var AuditTrailQuery = auditTrailQuery
