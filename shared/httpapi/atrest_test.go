package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"innkeeper/local/testenv"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
)

var (
	appKey  = "at-rest-test-app-key-0123456789-abcdefghij"
	nextKey = "at-rest-test-next-key-0123456789-klmnopqrs"
)

// from serves one request to h as if from ip, in process, so a test
// chooses each request's address.
func from(t testing.TB, h http.Handler, ip, method, path string, body any, headers ...string) result {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, path, bytes.NewReader(raw))
	r.RemoteAddr = net.JoinHostPort(ip, "40000")
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return result{w.Code, w.Result().Header, w.Body.Bytes()}
}

// created checks r is a reservation just made or replayed, and returns
// its reference and access token.
func created(t testing.TB, r result, replayed bool) (string, string) {
	t.Helper()
	if r.Status != http.StatusCreated || (r.Header.Get("Idempotent-Replayed") == "true") != replayed {
		t.Fatalf("status %d, Idempotent-Replayed %q; want 201, replayed %v\n%s",
			r.Status, r.Header.Get("Idempotent-Replayed"), replayed, r.Body)
	}
	var m struct {
		Reservation struct {
			Reference string `json:"reference"`
		} `json:"reservation"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.Body, &m); err != nil || m.Reservation.Reference == "" || m.AccessToken == "" {
		t.Fatalf("no reference or token (%v): %s", err, r.Body)
	}
	return m.Reservation.Reference, m.AccessToken
}

// findInSchema lists every column of every table in schema whose value,
// in some row, holds needle: text, JSON and every other type as their
// text, bytea as its bytes (its text form is hex, where a string in
// clear would not show).
func findInSchema(t testing.TB, a *testenv.API, needle string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := a.Store.Pool().Query(ctx, `SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`, a.Schema)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ table, name, typ string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name, &c.typ)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("only %d columns found in schema %s", len(cols), a.Schema)
	}
	var hits []string
	for _, c := range cols {
		col := pgx.Identifier{c.name}.Sanitize()
		cond := "strpos(" + col + "::text, $1) > 0"
		if c.typ == "bytea" {
			cond = "position(convert_to($1, 'UTF8') IN " + col + ") > 0"
		}
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, pgx.Identifier{a.Schema, c.table}.Sanitize(), cond)
		var n int
		if err := a.Store.Pool().QueryRow(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			hits = append(hits, fmt.Sprintf("%s.%s (%d rows)", c.table, c.name, n))
		}
	}
	return hits
}

// A booking's access token is nowhere in the database in clear, yet a
// retry still gets it back; and after APP_KEY is rotated (the next key
// becomes APP_KEY, the old one APP_KEY_NEXT) the retry still does.
func TestGuestTokensAreNotStoredInClear(t *testing.T) {
	t.Parallel()
	a := testenv.NewAPI(t, testenv.APIOptions{Env: map[string]string{"APP_KEY": appKey}})
	const ip = "198.51.100.20"
	key := newKey()
	body := bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX"))
	first := from(t, a, ip, "POST", "/v1/reservations", body, "Idempotency-Key", key)
	ref, token := created(t, first, false)

	// The scan finds what is stored in clear, in text and in bytea: the
	// guest's email, the reference, the idempotency key's own text.
	for _, stored := range []string{"ana@example.com", ref, key} {
		if hits := findInSchema(t, a, stored); len(hits) == 0 {
			t.Fatalf("the scan finds %q nowhere: it cannot find the token either", stored)
		}
	}
	if hits := findInSchema(t, a, token); len(hits) > 0 {
		t.Fatalf("the access token is stored in clear in %s", strings.Join(hits, ", "))
	}
	// Nor its secret part, in case a column kept it without its prefix.
	if hits := findInSchema(t, a, strings.TrimPrefix(token, "rat_")[:24]); len(hits) > 0 {
		t.Fatalf("the access token's secret is stored in clear in %s", strings.Join(hits, ", "))
	}

	again := from(t, a, ip, "POST", "/v1/reservations", body, "Idempotency-Key", key)
	if _, tok := created(t, again, true); tok != token || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("the replay differs from the response:\n%s\n%s", again.Body, first.Body)
	}
	if loc := again.Header.Get("Location"); loc != "/v1/reservations/"+ref {
		t.Fatalf("the replay's Location %q", loc)
	}

	// The rotation's switch: what was APP_KEY_NEXT is APP_KEY, the old
	// key is APP_KEY_NEXT. The same store and service, the new keys.
	rotated := httpapi.New(httpapi.Deps{
		Service: a.Service, Keys: a.Store, Receipts: a.Store,
		LinkKeys: []string{nextKey, appKey}, Logger: logging.Discard(),
	})
	after := from(t, rotated, ip, "POST", "/v1/reservations", body, "Idempotency-Key", key)
	if _, tok := created(t, after, true); tok != token || !bytes.Equal(after.Body, first.Body) {
		t.Fatalf("after the rotation the replay differs:\n%s\n%s", after.Body, first.Body)
	}
	// And a new booking after the switch is sealed under the new key,
	// replayed by it, and leaves no token in clear either.
	key2 := newKey()
	_, token2 := created(t, from(t, rotated, ip, "POST", "/v1/reservations", body, "Idempotency-Key", key2), false)
	if _, tok := created(t, from(t, rotated, ip, "POST", "/v1/reservations", body, "Idempotency-Key", key2), true); tok != token2 {
		t.Fatalf("replay after the rotation: token %q, want %q", tok, token2)
	}
	if hits := findInSchema(t, a, token2); len(hits) > 0 {
		t.Fatalf("the access token made after the rotation is stored in clear in %s", strings.Join(hits, ", "))
	}
	if n := a.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'ana@example.com'`); n != 2 {
		t.Fatalf("%d reservations, want 2: a replay booked again", n)
	}
}

// Anonymous callers' idempotency keys are scoped per address: another
// client sending the same key and body gets an outcome of its own, not
// the first client's response and token; each client's retry replays
// its own.
func TestAnonymousIdempotencyKeysAreScopedPerAddress(t *testing.T) {
	t.Parallel()
	a := testenv.NewAPI(t, testenv.APIOptions{Env: map[string]string{"APP_KEY": appKey}})
	key := newKey()
	body := bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX"))
	const alice, mallory = "198.51.100.30", "203.0.113.31"

	refA, tokenA := created(t, from(t, a, alice, "POST", "/v1/reservations", body, "Idempotency-Key", key), false)
	refM, tokenM := created(t, from(t, a, mallory, "POST", "/v1/reservations", body, "Idempotency-Key", key), false)
	if refM == refA || tokenM == tokenA {
		t.Fatalf("another address got the first client's reservation %s and its token", refA)
	}
	if _, tok := created(t, from(t, a, alice, "POST", "/v1/reservations", body, "Idempotency-Key", key), true); tok != tokenA {
		t.Fatal("the first client's retry did not replay its own response")
	}
	if _, tok := created(t, from(t, a, mallory, "POST", "/v1/reservations", body, "Idempotency-Key", key), true); tok != tokenM {
		t.Fatal("the second client's retry did not replay its own response")
	}
	// One IPv6 subscriber (its /64) is one client.
	key6 := newKey()
	_, token6 := created(t, from(t, a, "2001:db8:7:8::1", "POST", "/v1/reservations", body, "Idempotency-Key", key6), false)
	if _, tok := created(t, from(t, a, "2001:db8:7:8::2", "POST", "/v1/reservations", body, "Idempotency-Key", key6), true); tok != token6 {
		t.Fatal("a retry from the same /64 did not replay")
	}
	if n := a.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'ana@example.com'`); n != 3 {
		t.Fatalf("%d reservations, want 3", n)
	}
}
