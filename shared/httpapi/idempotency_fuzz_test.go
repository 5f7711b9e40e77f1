package httpapi

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
)

// FuzzFingerprint checks the fingerprint that tells a retry from another
// request under the same Idempotency-Key: the same method, path and body
// always give the same fingerprint, and any other request gives another,
// including the pairs that move bytes across the boundaries between
// method, path and body.
func FuzzFingerprint(f *testing.F) {
	f.Add("POST", "/v1/reservations", []byte(`{"hotel":"lisbon-riverside"}`), "POST", "/v1/reservations", []byte(`{"hotel":"nyc-midtown"}`))
	f.Add("POST", "/v1/reservations/INK-7K3Q9P/confirm", []byte(nil), "POST", "/v1/reservations/INK-7K3Q9P/cancel", []byte(nil))
	f.Add("POST", "/v1/reservations", []byte(nil), "PUT", "/v1/reservations", []byte(nil))
	f.Add("POST", "/a\nb", []byte("c"), "POST", "/a", []byte("b\nc"))
	f.Add("POST /a", "b", []byte(nil), "POST", "/a b", []byte(nil))
	f.Add("POST", "/a%2Fb", []byte("{}"), "POST", "/a/b", []byte("{}"))
	f.Fuzz(func(t *testing.T, m1, p1 string, b1 []byte, m2, p2 string, b2 []byte) {
		fp := func(method, path string, body []byte) []byte {
			return fingerprint(&http.Request{Method: method, URL: &url.URL{Path: path}}, body)
		}
		a := fp(m1, p1, b1)
		if len(a) != 32 {
			t.Fatalf("fingerprint of %d bytes, want a SHA-256", len(a))
		}
		// Deterministic, and blind to how the path was escaped on the wire.
		same := &http.Request{Method: m1, URL: &url.URL{Path: p1, RawPath: url.PathEscape(p1)}}
		if !bytes.Equal(a, fp(m1, p1, append([]byte{}, b1...))) || !bytes.Equal(a, fingerprint(same, b1)) {
			t.Fatalf("the same request (%q %q %q) has two fingerprints", m1, p1, b1)
		}
		distinct := func(ma, pa string, ba []byte, mb, pb string, bb []byte) {
			t.Helper()
			if ma == mb && pa == pb && bytes.Equal(ba, bb) {
				return
			}
			if bytes.Equal(fp(ma, pa, ba), fp(mb, pb, bb)) {
				t.Fatalf("two requests share a fingerprint:\n%q %q %q\n%q %q %q", ma, pa, ba, mb, pb, bb)
			}
		}
		distinct(m1, p1, b1, m2, p2, b2)
		// Bytes moved across the separators must not collide.
		distinct(m1, p1+"\n"+p2, b1, m1, p1, append([]byte(p2+"\n"), b1...))
		distinct(m1+" "+p1, p2, b1, m1, p1+" "+p2, b1)
	})
}
