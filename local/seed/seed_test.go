package seed

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"innkeeper/local/demo"
	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/catalog"
	"innkeeper/shared/store"
)

// snapshot is the catalogue a schema holds, ids aside.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var s string
	err := st.Pool().QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws(',', slug, name, city, country, timezone, currency, check_in_time), ';' ORDER BY slug) FROM hotels),
		(SELECT string_agg(concat_ws(',', h.slug, r.code, r.name, r.max_adults, r.max_children), ';' ORDER BY h.slug, r.code)
			FROM room_types r JOIN hotels h ON h.id = r.hotel_id),
		(SELECT string_agg(concat_ws(',', code, name, refundable, free_cancellation_hours, penalty_percent), ';' ORDER BY code) FROM rate_plans),
		(SELECT string_agg(concat_ws(',', r.code, i.night, i.units, i.sold), ';' ORDER BY r.code, i.night)
			FROM inventory i JOIN room_types r ON r.id = i.room_type_id),
		(SELECT string_agg(concat_ws(',', p.code, x.night, x.amount_cents), ';' ORDER BY p.code, x.night)
			FROM rates x JOIN rate_plans p ON p.id = x.rate_plan_id))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func seed(t *testing.T, api *testenv.API, file string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	env := map[string]string{"ADMIN_KEY": testenv.AdminKey}
	err := Run(context.Background(), []string{"-url", api.URL, "-file", file}, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

// The demo catalogue sent twice through the admin API: the first run
// makes every hotel, room type and rate plan and sets a year of
// inventory and prices; the second makes nothing and changes nothing.
// What the API holds then is what applying the file directly gives.
func TestSeedTwice(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	cat, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	entities := 0
	for _, h := range cat.Hotels {
		entities++
		for _, rt := range h.RoomTypes {
			entities += 1 + len(rt.RatePlans)
		}
	}
	file := filepath.Join("..", "..", demo.Path)
	out, err := seed(t, api, file)
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	if n := strings.Count(out, "created "); n != entities {
		t.Fatalf("first run created %d, the file has %d entities:\n%s", n, entities, out)
	}
	first := snapshot(t, api.Store)

	out, err = seed(t, api, file)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if strings.Contains(out, "created ") || strings.Contains(out, "differs ") || !strings.Contains(out, " 0 created, ") {
		t.Fatalf("second run created something:\n%s", out)
	}
	if second := snapshot(t, api.Store); second != first {
		t.Fatal("the second run changed the catalogue")
	}

	// A file that renames a hotel: the stage keeps its name, and says so.
	renamed := filepath.Join(t.TempDir(), "renamed.yaml")
	if err := os.WriteFile(renamed, []byte(strings.Replace(string(demo.File), "name: Riverside Lisbon", "name: Lisbon Renamed", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = seed(t, api, renamed)
	if err != nil || !strings.Contains(out, "differs hotel lisbon-riverside: name is Riverside Lisbon in the stage, Lisbon Renamed in the file") ||
		strings.Count(out, "differs ") != 1 {
		t.Fatalf("renamed: %v\n%s", err, out)
	}
	if snapshot(t, api.Store) != first {
		t.Fatal("a renaming file changed the catalogue")
	}

	st := testenv.Store(t)
	now := time.Now()
	if _, err := catalog.Apply(context.Background(), catalog.Direct(booking.NewService(st, func() time.Time { return now })), cat, now); err != nil {
		t.Fatal(err)
	}
	if direct := snapshot(t, st); direct != first {
		t.Fatal("the catalogue sent through the API differs from the one applied directly")
	}
}

// A bad file is refused before any request, naming the entry; a file
// the API refuses names the request and the API's reason.
func TestSeedErrors(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := string(demo.File)
	for _, tc := range []struct {
		name, file string
		env        map[string]string
		want       []string
	}{
		{"bad entry", write("bad.yaml", strings.Replace(good, "max_adults: 4", "max_adults: 40", 1)),
			nil, []string{"bad.yaml", "hotels[0] (lisbon-riverside) room_types[2] (FAM)", "max_adults"}},
		{"unknown field", write("typo.json", `{"hotels": [{"slug": "x", "nmae": "X"}]}`), nil, []string{"typo.json", "line 1", "nmae"}},
		{"missing file", filepath.Join(dir, "none.yaml"), nil, []string{"none.yaml"}},
		{"no key", write("good.yaml", good), map[string]string{}, []string{"ADMIN_KEY"}},
		{"unknown key", write("good2.yaml", good), map[string]string{"ADMIN_KEY": "ink_admin_nobody_0123456789"},
			[]string{"POST /v1/admin/hotels: 401", "unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = map[string]string{"ADMIN_KEY": testenv.AdminKey}
			}
			var out bytes.Buffer
			err := Run(context.Background(), []string{"-url", api.URL, "-file", tc.file}, func(k string) string { return env[k] }, &out)
			if err == nil {
				t.Fatalf("accepted:\n%s", out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	var hotels int
	if err := api.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM hotels`).Scan(&hotels); err != nil || hotels != 0 {
		t.Fatalf("refused seeds left %d hotels (%v)", hotels, err)
	}
}

// The URL of a deployed stage comes from make deploy's outputs: the edge
// where there is one.
func TestStackURL(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "outputs-prod.json")
	os.WriteFile(p, []byte(`{"innkeeper-prod": {"ApiUrl": "https://a.example", "EdgeUrl": "https://e.example"}}`), 0o600)
	if u, err := stackURL(p, "prod"); err != nil || u != "https://e.example" {
		t.Fatalf("%q %v", u, err)
	}
	os.WriteFile(p, []byte(`{"innkeeper-prod": {"ApiUrl": "https://a.example"}}`), 0o600)
	if u, err := stackURL(p, "prod"); err != nil || u != "https://a.example" {
		t.Fatalf("%q %v", u, err)
	}
	if _, err := stackURL(filepath.Join(dir, "outputs-staging.json"), "staging"); err == nil || !strings.Contains(err.Error(), "URL=") {
		t.Fatalf("no outputs: %v", err)
	}
}
