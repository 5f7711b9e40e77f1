// Package wsgateway emulates an API Gateway WebSocket API, with Lambda
// proxy integrations, for the local stack: it holds the clients'
// WebSocket connections, turns what happens on them into the events the
// real gateway sends to the functions of the topology's routes, and
// serves the @connections management API that backends call through the
// apigatewaymanagementapi client.
//
// What it copies from the cloud, because code that works here must work
// there:
//
//   - the handshake: the $connect function runs before the upgrade is
//     answered; a proxy response with a status outside 2xx refuses it
//     with that status, a failing function with 500, and only then is the
//     connection known to @connections. A Sec-WebSocket-Protocol header
//     in the response picks the subprotocol;
//   - the events: CONNECT with the upgrade request's headers and query,
//     MESSAGE with the body, DISCONNECT with the close code and reason,
//     each with the requestContext fields of the events AWS sends, ids in
//     the gateway's style;
//   - routing by $request.body.<field>: a value naming a route picks it,
//     anything else (invalid JSON included) goes to $default, and without
//     $default the client gets the gateway's Forbidden frame;
//   - route responses: a two-way route (topology.WebSocketRoute.Reply)
//     sends the client the body of its function's proxy response, when
//     not empty; a one-way route sends nothing back;
//   - the limits: frames of at most 32 KB, messages of at most 128 KB
//     (the connection is closed with 1009 over either), binary frames
//     refused with 1003, 10 minutes of idleness and 2 hours in all;
//   - @connections: POST sends, GET describes, DELETE closes, and an id
//     that is not connected answers 410 GoneException.
//
// Messages of one connection reach its functions one at a time, in the
// order they arrived. Signatures on management calls are not checked, so
// Start listens on loopback addresses only.
package wsgateway
