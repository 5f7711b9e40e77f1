// Package scan is a security scan of a running Innkeeper API over HTTP,
// modelled on the passive rules of ZAP's baseline scan and on a few of
// its active and access-control rules, narrowed to what a JSON API
// must get right.
//
// Run requests every route of the topology manifest (the $default
// catch-all through an unknown path) with real values: the target's
// reservations, its hotel, a hotel the scan creates for itself. Every
// response, errors included, goes through the passive rules: security
// headers, no server or platform leak, no stack trace, Go error or SQL
// in a body, no cacheable sensitive response, CORS only for the allowed
// origins, errors as RFC 9457 problems. On top of that Run sends what a
// client should be refused for, and checks it is refused properly:
// hostile path and query values (path traversal, SQL metacharacters, a
// NUL byte) in every parameter, a body over the API's limit, a wrong
// Content-Type, another reservation's token, a key of the wrong role, no
// key, a forged key, an expired signed link; and what must be accepted,
// such as a link signed with the next application key during a rotation;
// and /health without credentials must say its status and version only.
//
// Each check names the ZAP rule it mirrors; checks ZAP has no rule for
// carry an "ink-" id. The scan is not read-only: it creates a hotel, a
// staff key and a booking of its own (which it cancels), and redrives
// the events dead-letter queue. Point it at a devstack or a test stage,
// never at production.
package scan
