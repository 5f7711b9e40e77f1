// Package awsid makes the ids the local emulators hand out in the forms
// AWS uses, so that code and tests which look at them see what the cloud
// would give: version 4 UUIDs (SQS message and request ids, Lambda
// request ids, EventBridge event ids, the WebSocket management API's
// request ids), API Gateway's short ids (its request, connection and
// message ids) and X-Ray trace headers.
//
// Every id is random, from crypto/rand.
package awsid

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// UUID is a random (version 4, RFC 9562 variant) UUID in its lowercase
// string form: "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx", V one of 8, 9, a, b.
func UUID() string {
	return uuid.NewString()
}

// GatewayID is a fresh id in API Gateway's style, as it gives requests,
// WebSocket connections and messages: eleven random bytes in URL-safe
// base64, sixteen characters ending in "=" ("R1kmxc2VNjMCFIA=").
func GatewayID() string {
	var b [11]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail; it crashes instead.
	return base64.URLEncoding.EncodeToString(b[:])
}

// TraceHeader is a new X-Ray trace header with only a root, as API
// Gateway adds to a request that does not carry one:
// "Root=1-<now in 8 hex digits>-<24 random hex digits>".
func TraceHeader(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

// LambdaTraceHeader is the X-Ray trace header of an unsampled Lambda
// invocation: TraceHeader's root, then ";Parent=<16 random hex
// digits>;Sampled=0".
func LambdaTraceHeader(now time.Time) string {
	var parent [8]byte
	_, _ = rand.Read(parent[:])
	return TraceHeader(now) + ";Parent=" + hex.EncodeToString(parent[:]) + ";Sampled=0"
}
