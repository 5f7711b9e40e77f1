package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/httpapi"
)

// createKey makes a key through the API and returns its secret and id.
func createKey(t *testing.T, c *client, body map[string]any) (string, int64) {
	t.Helper()
	r := c.do("POST", "/v1/admin/api-keys", body, admin()...)
	if r.Status != 201 {
		t.Fatalf("create key: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	k := m["api_key"].(map[string]any)
	return m["secret"].(string), int64(k["id"].(float64))
}

func TestAPIKeyText(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	r := c.do("POST", "/v1/admin/api-keys", map[string]any{"name": "front desk", "role": "staff"}, admin()...)
	if r.Status != 201 {
		t.Fatalf("create key: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	secret := m["secret"].(string)
	k := m["api_key"].(map[string]any)
	id, _ := k["public_id"].(string)
	if id == "" || auth.PublicIDOf(secret) != id || !strings.HasPrefix(secret, "ink_staff_"+id+"_") {
		t.Fatalf("key text %q does not carry its public id %q", secret, id)
	}
	// Two keys of a role differ in their prefix.
	other, _ := createKey(t, c, map[string]any{"name": "night desk", "role": "staff"})
	if auth.KeyPrefix(other) == auth.KeyPrefix(secret) {
		t.Fatalf("two staff keys share the prefix %q", auth.KeyPrefix(secret))
	}
}

func TestListAPIKeysShowsNoSecret(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	secret, id := createKey(t, c, map[string]any{"name": "front desk", "role": "staff", "expires_at": "2099-01-01T00:00:00Z"})
	if r := c.do("GET", "/v1/admin/hotels/x/reservations", nil, bearer(secret)...); r.Status == 401 {
		t.Fatal("a new key was refused")
	}
	r := c.do("GET", "/v1/admin/api-keys", nil, admin()...)
	if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("list: %d %v %s", r.Status, r.Header, r.Body)
	}
	if bytes.Contains(r.Body, []byte(secret)) || bytes.Contains(r.Body, []byte(secret[len(auth.KeyPrefix(secret)):])) {
		t.Fatalf("the list shows a secret: %s", r.Body)
	}
	var out struct {
		Keys []map[string]any `json:"api_keys"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Keys) != 2 {
		t.Fatalf("list %s %v, want the admin key and the new one", r.Body, err)
	}
	got := out.Keys[1]
	want := []string{"id", "public_id", "name", "role", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"}
	if len(got) != len(want) {
		t.Fatalf("key %v, want exactly the fields %v", got, want)
	}
	for _, f := range want {
		if _, ok := got[f]; !ok {
			t.Fatalf("key %v lacks %s", got, f)
		}
	}
	if got["id"] != float64(id) || got["expires_at"] != "2099-01-01T00:00:00Z" || got["last_used_at"] == nil || got["revoked_at"] != nil {
		t.Fatalf("key %v", got)
	}
	staff, _ := createKey(t, c, map[string]any{"name": "desk", "role": "staff"})
	c.do("GET", "/v1/admin/api-keys", nil, bearer(staff)...).Problem(t, 403, "forbidden")
}

func TestRevokedKeyIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	secret, id := createKey(t, c, map[string]any{"name": "front desk", "role": "staff"})
	list := "/v1/admin/hotels/lisbon-riverside/reservations"
	if r := c.do("GET", list, nil, bearer(secret)...); r.Status != 200 {
		t.Fatalf("before revocation: %d", r.Status)
	}
	path := "/v1/admin/api-keys/" + strconv.FormatInt(id, 10)
	c.do("DELETE", path, nil, bearer(secret)...).Problem(t, 403, "forbidden")
	if r := c.do("DELETE", path, nil, admin()...); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	c.do("GET", list, nil, bearer(secret)...).Problem(t, 401, "unauthorized")
	c.do("POST", "/v1/ws-tickets", nil, bearer(secret)...).Problem(t, 401, "unauthorized")
	if r := c.do("DELETE", path, nil, admin()...); r.Status != 204 {
		t.Fatalf("revoking again: %d %s", r.Status, r.Body)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM api_keys WHERE id = $1 AND revoked_at IS NOT NULL`, id); n != 1 {
		t.Fatal("the key is not marked revoked")
	}
	for _, bad := range []string{"999999", "0", "-1", "abc", "1e3"} {
		c.do("DELETE", "/v1/admin/api-keys/"+bad, nil, admin()...).Problem(t, 404, "not-found")
	}
}

func TestLastAdminKeyCannotBeRevoked(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	first := c.api.Int(t, `SELECT id FROM api_keys WHERE role = 'admin'`)
	firstPath := "/v1/admin/api-keys/" + strconv.Itoa(first)
	c.do("DELETE", firstPath, nil, admin()...).Problem(t, 409, "last-admin-key")

	// An expired admin key does not count as a way back in.
	_, expired := createKey(t, c, map[string]any{"name": "old admin", "role": "admin", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	c.api.Exec(t, `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, expired)
	c.do("DELETE", firstPath, nil, admin()...).Problem(t, 409, "last-admin-key")
	if n := c.api.Int(t, `SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatal("a refused revocation revoked something")
	}

	second, _ := createKey(t, c, map[string]any{"name": "new admin", "role": "admin"})
	if r := c.do("DELETE", firstPath, nil, bearer(second)...); r.Status != 204 {
		t.Fatalf("revoke with another admin live: %d %s", r.Status, r.Body)
	}
	c.do("GET", "/v1/admin/api-keys", nil, admin()...).Problem(t, 401, "unauthorized")
}

func TestAPIKeyExpiry(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	for _, bad := range []any{"tomorrow", "2020-01-01T00:00:00Z", time.Now().Add(-time.Second).UTC().Format(time.RFC3339), "2099-01-01", 5} {
		body := map[string]any{"name": "temp", "role": "staff", "expires_at": bad}
		r := c.do("POST", "/v1/admin/api-keys", body, admin()...)
		if _, isString := bad.(string); isString {
			r.FieldError(t, 422, "expires_at")
		} else if r.Status != 400 && r.Status != 422 {
			t.Fatalf("expires_at %v: %d %s", bad, r.Status, r.Body)
		}
	}
	if n := c.api.Int(t, `SELECT count(*) FROM api_keys`); n != 1 {
		t.Fatalf("%d keys after refused creations, want 1", n)
	}
	secret, id := createKey(t, c, map[string]any{"name": "temp", "role": "staff", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	list := "/v1/admin/hotels/lisbon-riverside/reservations"
	if r := c.do("GET", list, nil, bearer(secret)...); r.Status != 200 {
		t.Fatalf("before expiry: %d", r.Status)
	}
	c.api.Exec(t, `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, id)
	c.do("GET", list, nil, bearer(secret)...).Problem(t, 401, "unauthorized")
}

func TestWSTickets(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	staff, _ := createKey(t, c, map[string]any{"name": "desk", "role": "staff"})
	finance, _ := createKey(t, c, map[string]any{"name": "books", "role": "finance"})
	start := time.Now()
	r := c.do("POST", "/v1/ws-tickets", nil, bearer(staff)...)
	if r.Status != 201 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("ticket: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	ticket, _ := m["ticket"].(string)
	expires, err := time.Parse(time.RFC3339, m["expires_at"].(string))
	if !strings.HasPrefix(ticket, "wst_") || err != nil || expires.Before(start.Add(25*time.Second)) || expires.After(time.Now().Add(31*time.Second)) {
		t.Fatalf("ticket %v, want one for 30 s", m)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM ws_tickets WHERE ticket_hash = $1`, auth.Hash(ticket)); n != 1 {
		t.Fatal("the ticket is not stored by its hash")
	}
	c.do("POST", "/v1/ws-tickets", nil, bearer(finance)...).Problem(t, 403, "forbidden")
	c.do("POST", "/v1/ws-tickets", nil).Problem(t, 401, "unauthorized")
	c.do("POST", "/v1/ws-tickets", `{"key":"x"}`, bearer(staff)...).FieldError(t, 400, "key")
}

// Every access log line of a request made with a key names the key by
// its public id, and never holds its secret; a refused key's line names
// the key tried.
func TestAccessLogNamesTheKey(t *testing.T) {
	t.Parallel()
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true, NoRelay: true})
	var logs bytes.Buffer
	srv := httpapi.New(httpapi.Deps{Keys: api.Store, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	token, _ := auth.NewAPIKey(auth.RoleStaff)
	k, err := api.Store.CreateAPIKey(t.Context(), "desk", auth.RoleStaff, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path, key string) map[string]any {
		t.Helper()
		logs.Reset()
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		srv.ServeHTTP(httptest.NewRecorder(), req)
		if key != "" && bytes.Contains(logs.Bytes(), []byte(key)) {
			t.Fatalf("the log holds the key's secret:\n%s", logs.String())
		}
		var line map[string]any
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			_ = json.Unmarshal([]byte(l), &line)
			if line["msg"] == "request" {
				return line
			}
		}
		t.Fatalf("no access log line:\n%s", logs.String())
		return nil
	}
	if line := send("POST", "/v1/ws-tickets", token); line["key"] != k.PublicID || line["status"] != float64(201) {
		t.Fatalf("access log %v, want key %s", line, k.PublicID)
	}
	if line := send("GET", "/v1/admin/api-keys", token); line["key"] != k.PublicID || line["status"] != float64(403) {
		t.Fatalf("access log of a forbidden request %v, want key %s", line, k.PublicID)
	}
	if err := api.Store.RevokeAPIKey(t.Context(), k.ID); err != nil {
		t.Fatal(err)
	}
	if line := send("POST", "/v1/ws-tickets", token); line["key"] != k.PublicID || line["status"] != float64(401) {
		t.Fatalf("access log of a revoked key %v, want key %s", line, k.PublicID)
	}
	if line := send("GET", "/livez", ""); line["key"] != nil {
		t.Fatalf("access log without a key names one: %v", line)
	}
}
