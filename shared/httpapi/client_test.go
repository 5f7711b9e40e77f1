package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
)

// testLinkKeys are an APP_KEY for in-process APIs.
var testLinkKeys = []string{"test-link-key-0123456789-abcdefghijklmnop"}

// bucketOf is the rate-limit bucket an API with linkKeys charges a read
// from ip to, as its RateLimiter is asked for it.
func bucketOf(t *testing.T, ip string, linkKeys ...string) string {
	t.Helper()
	l := &fakeLimiter{answer: limiterAnswer{allowed: true, remaining: 1}}
	api := httpapi.New(httpapi.Deps{RateLimiter: l, LinkKeys: linkKeys, Logger: logging.Discard()})
	r := httptest.NewRequest("GET", "/nowhere", nil)
	r.RemoteAddr = net.JoinHostPort(ip, "40000")
	api.ServeHTTP(httptest.NewRecorder(), r)
	if len(l.calls) != 1 || !strings.HasPrefix(l.calls[0].key, "reads:ip:") {
		t.Fatalf("limiter asked %+v, want one reads:ip: bucket", l.calls)
	}
	return strings.TrimPrefix(l.calls[0].key, "reads:ip:")
}

// An address's bucket is a keyed hash: stable under one APP_KEY, another
// under another, and not the unkeyed SHA-256 that anyone could compute
// for all 2³² IPv4 addresses to find who a bucket belongs to.
func TestAddressBucketsNeedTheAppKey(t *testing.T) {
	t.Parallel()
	const ip = "203.0.113.80"
	bucket := bucketOf(t, ip, testLinkKeys...)
	if again := bucketOf(t, ip, testLinkKeys...); again != bucket {
		t.Fatalf("one key, two buckets: %s and %s", bucket, again)
	}
	if other := bucketOf(t, ip, "another-link-key-0123456789-abcdefghijkl"); other == bucket {
		t.Fatalf("two keys give the same bucket %s: it does not depend on the key", bucket)
	}
	unkeyed := sha256.Sum256([]byte("innkeeper-ratelimit:" + ip))
	plain := sha256.Sum256([]byte(ip))
	for _, guess := range []string{hex.EncodeToString(unkeyed[:12]), hex.EncodeToString(plain[:12]), ip} {
		if strings.Contains(bucket, guess) {
			t.Fatalf("bucket %s is recomputable from the address alone (%s)", bucket, guess)
		}
	}
	// One IPv6 subscriber, its /64, is one client still.
	if bucketOf(t, "2001:db8:1:2::1", testLinkKeys...) != bucketOf(t, "2001:db8:1:2:ffff::9", testLinkKeys...) {
		t.Fatal("two addresses of one /64 charged apart")
	}
}

// An API that stores responses or counts addresses does not start
// without a key to seal and name them with.
func TestAPIWithoutAppKeyIsABuildDefect(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(error).Error(), "LinkKeys") {
			t.Fatalf("New with a limiter and no key: recovered %v", v)
		}
	}()
	httpapi.New(httpapi.Deps{RateLimiter: &fakeLimiter{}, LinkKeys: []string{"", ""}, Logger: logging.Discard()})
}
