package httpapi_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"innkeeper/local/testenv"
)

// result is a response read whole.
type result struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r result) JSON(t testing.TB) map[string]any {
	t.Helper()
	m, err := r.object()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// object is JSON for a goroutine: it returns the error, as only the
// test's goroutine may call t.Fatal.
func (r result) object() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m, nil
}

// Problem checks the response is a problem of status and type suffix kind.
func (r result) Problem(t testing.TB, status int, kind string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\n%s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	m := r.JSON(t)
	if typ, _ := m["type"].(string); !strings.HasSuffix(typ, "/"+kind) {
		t.Fatalf("problem type %q, want …/%s\n%s", typ, kind, r.Body)
	}
	if m["status"] != float64(status) || m["title"] == "" || m["detail"] == "" {
		t.Fatalf("problem lacks status, title or detail: %s", r.Body)
	}
	return m
}

// FieldError checks the problem names field in its errors.
func (r result) FieldError(t testing.TB, status int, field string) {
	t.Helper()
	kind := "validation"
	if status == http.StatusBadRequest {
		kind = "malformed"
	}
	m := r.Problem(t, status, kind)
	errs, _ := m["errors"].(map[string]any)
	if _, ok := errs[field]; !ok {
		t.Fatalf("errors %v lack %q", errs, field)
	}
}

type client struct {
	t   testing.TB
	api *testenv.API
}

func newClient(t testing.TB, o testenv.APIOptions) *client {
	return &client{t: t, api: testenv.NewAPI(t, o)}
}

// do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON). headers are pairs.
func (c *client) do(method, path string, body any, headers ...string) result {
	c.t.Helper()
	r, err := c.send(method, path, body, headers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// send is do for a goroutine: it returns the error, as only the test's
// goroutine may call t.Fatal.
func (c *client) send(method, path string, body any, headers ...string) (result, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return result{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.api.URL+path, rd)
	if err != nil {
		return result{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, err
	}
	return result{resp.StatusCode, resp.Header, raw}, nil
}

// newKey is a fresh Idempotency-Key.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func admin() []string { return []string{"Authorization", "Bearer " + testenv.AdminKey} }

// booking is the body of a reservation request, editable per test.
func bookingBody(edits ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"hotel": "lisbon-riverside", "room_type": "STD", "rate_plan": "STD-FLEX",
		"check_in": "2027-01-10", "check_out": "2027-01-12",
		"adults": 2, "children": 0, "rooms": 1,
		"guest": map[string]any{"name": "Ana Silva", "email": "ana@example.com", "phone": "+351 912 345 678"},
		"hold":  false,
	}
	for _, e := range edits {
		e(b)
	}
	return b
}

func set(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }

// book creates a reservation and returns its reference and token.
func (c *client) book(body map[string]any) (string, string) {
	c.t.Helper()
	r := c.do("POST", "/v1/reservations", body, "Idempotency-Key", newKey())
	if r.Status != http.StatusCreated {
		c.t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	m := r.JSON(c.t)
	res := m["reservation"].(map[string]any)
	return res["reference"].(string), m["access_token"].(string)
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

func with(a []string, b ...string) []string { return append(append([]string{}, a...), b...) }
