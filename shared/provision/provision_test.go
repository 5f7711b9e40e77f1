package provision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/logging"
	"innkeeper/shared/provision"
	"innkeeper/shared/store"
)

// invoke sends the admin-key event as the Lambda runtime would: JSON in,
// JSON out.
func invoke(t *testing.T, h func(context.Context, json.RawMessage) (any, error), name string, force bool) (provision.AdminKeyResult, error) {
	t.Helper()
	out, err := h(context.Background(), provision.AdminKeyEvent(name, force))
	if err != nil {
		return provision.AdminKeyResult{}, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var res provision.AdminKeyResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return res, nil
}

// keyWorks says whether the API takes key on an admin-only route.
func keyWorks(t *testing.T, api *testenv.API, key string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, api.URL+"/v1/admin/api-keys", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func adminKeys(t *testing.T, api *testenv.API) int {
	t.Helper()
	var n int
	if err := api.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM api_keys WHERE role = 'admin'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// On a stage without an admin key, the event makes one that the API
// takes; a second is refused and makes nothing; a forced one is made
// beside the first, which keeps working. No secret reaches the log.
func TestAdminKey(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	api.Exec(t, `DELETE FROM api_keys`) // a new stage: no key at all
	var logs bytes.Buffer
	h := provision.Handler(api.Store, logging.New(&logs, "debug"))

	first, err := invoke(t, h, "ops on call", false)
	if err != nil {
		t.Fatalf("first admin key: %v", err)
	}
	if first.Key.Role != "admin" || first.Key.Name != "ops on call" || first.Key.PublicID == "" ||
		!strings.Contains(first.Secret, first.Key.PublicID) || first.Forced {
		t.Fatalf("first admin key: %+v", first)
	}
	if !keyWorks(t, api, first.Secret) {
		t.Fatal("the API refuses the new admin key")
	}

	_, err = invoke(t, h, "again", false)
	if err == nil || !strings.Contains(err.Error(), "FORCE=1") {
		t.Fatalf("second admin key: err %v, want a refusal naming FORCE=1", err)
	}
	if n := adminKeys(t, api); n != 1 {
		t.Fatalf("after a refusal: %d admin keys, want 1", n)
	}

	forced, err := invoke(t, h, "break glass", true)
	if err != nil || !forced.Forced || forced.Secret == first.Secret {
		t.Fatalf("forced admin key: %+v %v", forced, err)
	}
	if !keyWorks(t, api, forced.Secret) || !keyWorks(t, api, first.Secret) {
		t.Fatal("after a forced key, both keys must work")
	}
	if n := adminKeys(t, api); n != 2 {
		t.Fatalf("after a forced key: %d admin keys, want 2", n)
	}

	for _, secret := range []string{first.Secret, forced.Secret} {
		if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), secret[len(secret)-16:]) {
			t.Fatalf("the log holds a key's secret:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), first.Key.PublicID) {
		t.Fatalf("the log does not name the key made (%s):\n%s", first.Key.PublicID, logs.String())
	}
}

// A stage whose admin keys are all revoked or expired has no live admin
// key: the event makes one without force.
func TestAdminKeyWhenNoneIsLive(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	api.Exec(t, `UPDATE api_keys SET revoked_at = now()`)
	h := provision.Handler(api.Store, logging.Discard())
	res, err := invoke(t, h, "after revocation", false)
	if err != nil || !keyWorks(t, api, res.Secret) {
		t.Fatalf("%+v %v", res, err)
	}
}

// Two first keys asked for at once: exactly one is made.
func TestAdminKeyRace(t *testing.T) {
	st := testenv.Store(t)
	h := provision.Handler(st, logging.Discard())
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h(context.Background(), provision.AdminKeyEvent("racer", false))
		}()
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		if err == nil {
			made++
		}
	}
	keys, err := st.APIKeys(context.Background())
	if made != 1 || err != nil || len(keys) != 1 {
		t.Fatalf("%d made, %d keys (%v); errors %v", made, len(keys), err, errs)
	}
}

// Bad requests make nothing and say what is wrong; events without
// admin_key only migrate.
func TestEvents(t *testing.T) {
	st := testenv.Store(t)
	h := provision.Handler(st, logging.Discard())
	for _, tc := range []struct {
		name, event string
		wantErr     string
	}{
		{"no name", `{"admin_key":{"name":"  "}}`, "name is required"},
		{"long name", `{"admin_key":{"name":"` + strings.Repeat("n", provision.MaxNameLength+1) + `"}}`, "at most"},
		{"deploy trigger", `{"source":"innkeeper.deploy","detail-type":"Apply migrations"}`, ""},
		{"not an object", `"migrate"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := h(context.Background(), json.RawMessage(tc.event))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if _, ok := out.(store.MigrateResult); err != nil || !ok {
				t.Fatalf("%+v %v, want a migration result", out, err)
			}
		})
	}
	if keys, _ := st.APIKeys(context.Background()); len(keys) != 0 {
		t.Fatalf("bad requests made %d keys", len(keys))
	}
}
