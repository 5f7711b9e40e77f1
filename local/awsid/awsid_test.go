package awsid_test

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"innkeeper/local/awsid"
)

var (
	uuidV4      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	gatewayID   = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
	traceRoot   = `Root=1-[0-9a-f]{8}-[0-9a-f]{24}`
	trace       = regexp.MustCompile(`^` + traceRoot + `$`)
	lambdaTrace = regexp.MustCompile(`^` + traceRoot + `;Parent=[0-9a-f]{16};Sampled=0$`)
)

// fresh calls next n times and fails unless every result matches want
// and none comes twice.
func fresh(t *testing.T, what string, want *regexp.Regexp, next func() string) {
	t.Helper()
	seen := map[string]bool{}
	for range 200 {
		id := next()
		if !want.MatchString(id) {
			t.Fatalf("%s %q does not match %s", what, id, want)
		}
		if seen[id] {
			t.Fatalf("%s %q twice", what, id)
		}
		seen[id] = true
	}
}

func TestUUIDIsVersion4(t *testing.T) {
	fresh(t, "UUID", uuidV4, awsid.UUID)
	id := awsid.UUID()
	// The version nibble and the variant bits, read from the bytes.
	b, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(b) != 16 {
		t.Fatalf("UUID %q is not 16 bytes in hex: %v", id, err)
	}
	if b[6]>>4 != 4 || b[8]&0xc0 != 0x80 {
		t.Errorf("UUID %q: version %d, variant bits %02b; want 4 and 10", id, b[6]>>4, b[8]>>6)
	}
}

func TestGatewayIDIsElevenBytesOfURLSafeBase64(t *testing.T) {
	fresh(t, "gateway id", gatewayID, awsid.GatewayID)
	id := awsid.GatewayID()
	if len(id) != 16 {
		t.Errorf("gateway id %q is %d characters, want 16", id, len(id))
	}
	b, err := base64.URLEncoding.DecodeString(id)
	if err != nil || len(b) != 11 {
		t.Errorf("gateway id %q decodes to %d bytes (%v), want 11", id, len(b), err)
	}
}

func TestTraceHeaderCarriesTheTime(t *testing.T) {
	now := time.Unix(0x5e9f0c65, 0)
	fresh(t, "trace header", trace, func() string { return awsid.TraceHeader(now) })
	if got := awsid.TraceHeader(now); got[:16] != "Root=1-5e9f0c65-" {
		t.Errorf("trace header %q, want the epoch seconds 5e9f0c65 in its root", got)
	}
}

func TestLambdaTraceHeaderIsUnsampledWithAParent(t *testing.T) {
	now := time.Unix(0x5e9f0c65, 0)
	fresh(t, "Lambda trace header", lambdaTrace, func() string { return awsid.LambdaTraceHeader(now) })
	if got := awsid.LambdaTraceHeader(now); got[:16] != "Root=1-5e9f0c65-" {
		t.Errorf("trace header %q, want the epoch seconds 5e9f0c65 in its root", got)
	}
}
