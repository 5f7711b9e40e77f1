// Package gateway emulates API Gateway's HTTP API, with Lambda proxy
// integrations in payload format 2.0, for the local stack: it routes a
// request by the routes of the topology, turns it into the event the real
// gateway would send, invokes the route's function synchronously and maps
// what the function returns back to HTTP.
//
// What it copies from the cloud, because code that works here must work
// there:
//
//   - routing: literal segments beat {variables}, which beat a greedy
//     {name+}; a route's own method beats ANY; $default catches the rest,
//     and without it the answer is 404 {"message":"Not Found"};
//   - the event: lower-cased headers with repeats joined by commas,
//     cookies split out of the Cookie header, query values joined by
//     commas, bodies base64-encoded unless textual, a request id in the
//     gateway's style, x-forwarded-* headers;
//   - the limits: 10 MiB for a request body (413), Lambda's 6 MiB for the
//     event and the function's response;
//   - the response: a JSON object with statusCode is a structured
//     response, anything else valid JSON is sent as a 200
//     application/json body, invalid JSON is a 500, and only the fields
//     payload format 2.0 defines are honoured (multiValueHeaders is not);
//   - the errors: function errors 500, timeouts 503, every answer with an
//     Apigw-Requestid header, one access-log line per request.
package gateway
