package scan

// rule is a check's identity in a Finding: the id of the ZAP rule it
// mirrors, or an "ink-" id for a check ZAP has no rule for, and a name.
type rule struct{ id, name string }

// The passive rules run on every response the scan receives.
var (
	// ZAP 10021: X-Content-Type-Options header missing.
	ruleContentTypeOptions = rule{"10021", "X-Content-Type-Options header missing"}
	// ZAP 10020: anti-clickjacking header (X-Frame-Options, or a CSP
	// frame-ancestors directive).
	ruleAntiClickjacking = rule{"10020", "Anti-clickjacking header missing"}
	// ZAP 10035: Strict-Transport-Security header.
	ruleHSTS = rule{"10035", "Strict-Transport-Security header missing or invalid"}
	// ZAP 10038: Content Security Policy header not set.
	ruleCSPMissing = rule{"10038", "Content-Security-Policy header not set"}
	// ZAP 10055: CSP weaknesses (wildcards, unsafe-*, no fallback).
	ruleCSPWeak = rule{"10055", "Content-Security-Policy too permissive"}
	// ZAP 10063: Permissions Policy header not set.
	rulePermissionsPolicy = rule{"10063", "Permissions-Policy header not set"}
	// ZAP 10036: server leaks version information via "Server".
	ruleServerLeak = rule{"10036", "Server header leaks version information"}
	// ZAP 10037: server leaks information via "X-Powered-By" (and its
	// kin, such as ZAP 10061's X-AspNet-Version).
	rulePoweredBy = rule{"10037", "Response header leaks the platform"}
	// ZAP 10015: re-examine cache-control directives.
	ruleCacheControl = rule{"10015", "Sensitive response may be cached"}
	// ZAP 10019: Content-Type header missing.
	ruleContentType = rule{"10019", "Content-Type header missing"}
	// ZAP 10010, 10011, 10054: cookie without HttpOnly, Secure, SameSite.
	ruleCookieHTTPOnly = rule{"10010", "Cookie without HttpOnly"}
	ruleCookieSecure   = rule{"10011", "Cookie without Secure"}
	ruleCookieSameSite = rule{"10054", "Cookie without SameSite"}
	// ZAP 10098: cross-domain misconfiguration (CORS).
	ruleCORS = rule{"10098", "Cross-domain misconfiguration"}
	// ZAP 90022: application error disclosure (server errors, error
	// strings of the platform or the database).
	ruleErrorDisclosure = rule{"90022", "Application error disclosure"}
	// ZAP 10023: information disclosure, debug error messages (stack
	// traces, source files).
	ruleDebugMessages = rule{"10023", "Debug error messages"}
	// ZAP 10027: information disclosure, suspicious comments; here also
	// secrets, connection strings and versions in a response.
	ruleInfoDisclosure = rule{"10027", "Information disclosure"}
	// ZAP has no rule for Referrer-Policy; the API promises no-referrer.
	ruleReferrerPolicy = rule{"ink-referrer-policy", "Referrer-Policy not no-referrer"}
	// RFC 9457: every error is application/problem+json with a type, a
	// title and the status of the response.
	ruleProblem = rule{"ink-problem", "Error is not an RFC 9457 problem"}
	// RFC 9110: a 401 names its scheme, a 405 the allowed methods.
	ruleStatusHeaders = rule{"ink-status-headers", "Status without its required header"}
)

// The active rules: requests made to be refused, or to be accepted.
var (
	// ZAP 6: path traversal.
	rulePathTraversal = rule{"6", "Path traversal"}
	// ZAP 40018: SQL injection.
	ruleSQLInjection = rule{"40018", "SQL injection"}
	// ZAP 40008: parameter tampering (here: a NUL byte).
	ruleParameterTampering = rule{"40008", "Parameter tampering"}
	// ZAP 10101 (access control add-on): improper authentication.
	ruleAuthentication = rule{"10101", "Access control: improper authentication"}
	// ZAP 10102 (access control add-on): improper authorization.
	ruleAuthorization = rule{"10102", "Access control: improper authorization"}
	// The API refuses bodies over its limit with a 413 problem.
	ruleBodyLimit = rule{"ink-body-limit", "Oversized body not refused with 413"}
	// The API refuses bodies it cannot read (and those a cross-site form
	// can send) with a 415 problem.
	ruleMediaType = rule{"ink-media-type", "Wrong Content-Type not refused with 415"}
	// During a rotation, links signed with APP_KEY_NEXT are accepted.
	ruleKeyRotation = rule{"ink-key-rotation", "Link signed with APP_KEY_NEXT refused"}
	// /health without credentials says its status and version only: its
	// checks, gauges and jobs' errors can name hosts, ARNs and references.
	ruleHealthDetail = rule{"ink-health-detail", "/health shows its detail without credentials"}
)

// The scan's own health: when these fire, other checks went unproven.
var (
	ruleBaseline  = rule{"ink-baseline", "A real request failed, so the checks built on it are unproven"}
	ruleCoverage  = rule{"ink-coverage", "A status the header rules must cover was never seen"}
	ruleTransport = rule{"ink-transport", "No HTTP response"}
)

// What the API answers for what it does not serve.
var (
	ruleNotFound = rule{"ink-not-found", "Unknown path not answered with a 404 problem"}
	ruleMethod   = rule{"ink-method", "Unsupported method not answered with a 405 problem"}
)
