package apigw

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/meter"
)

// warmEvent is a payload 2.0 event with every part a request can carry,
// so that decoding it builds encoding/json's decoders for the whole event
// type (its request context, authorizer, headers, cookies).
const warmEvent = `{"version":"2.0","routeKey":"GET /x","rawPath":"/x","rawQueryString":"a=b",
"cookies":["a=b"],"headers":{"a":"b"},"queryStringParameters":{"a":"b"},"pathParameters":{"a":"b"},
"stageVariables":{"a":"b"},"body":"","isBase64Encoded":false,
"requestContext":{"accountId":"1","apiId":"a","domainName":"d","domainPrefix":"d","requestId":"r",
"routeKey":"GET /x","stage":"$default","time":"t","timeEpoch":1,
"authentication":{"clientCert":{"clientCertPem":"p","subjectDN":"s","issuerDN":"i","serialNumber":"n","validity":{"notBefore":"a","notAfter":"b"}}},
"authorizer":{"jwt":{"claims":{"a":"b"},"scopes":["a"]},"lambda":{"a":"b"},"iam":{"accessKey":"a","accountId":"1","callerId":"c","principalOrgId":"o","userArn":"u","userId":"i"}},
"http":{"method":"GET","path":"/x","protocol":"HTTP/1.1","sourceIp":"192.0.2.1","userAgent":"u"}}}`

// init does, once, on a goroutine of its own while the function starts,
// the first-time work of what every invocation through this adapter
// does: decoding a payload 2.0 event, encoding its response, and writing
// the attribution line (slog's JSON handler, the EMF metadata). The first
// use of a type in encoding/json builds its encoder or decoder, about
// 0.8 ms for the event type alone, and the first request paid all of it.
//
// Where the function has CPU to spare while it starts (the devstack's
// two cores; Lambda's init phase) the first request no longer waits for
// that work; where it has none, the same work is done, earlier. Nothing
// but encoding/json's caches changes: the attribution line is written
// to io.Discard, with no request id, and records nothing.
func init() {
	go func() {
		_, _ = Detect([]byte(warmEvent))
		var ev events.APIGatewayV2HTTPRequest
		_ = json.Unmarshal([]byte(warmEvent), &ev)
		_, _ = json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"a": "b"},
			MultiValueHeaders: map[string][]string{"a": {"b"}}, Cookies: []string{"a=b"}})
		ctx, inv := meter.Start(context.Background(), "warm", meter.TriggerHTTP, ev.RouteKey, 0)
		inv.Reservation("INK-WARM")
		inv.Status(200)
		inv.Log(ctx, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	}()
}
