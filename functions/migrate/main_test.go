package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/logging"
	"innkeeper/shared/provision"
	"innkeeper/shared/store"
)

// Each sample event runs through the function's handler on an empty
// schema: a migration event applies every migration, then nothing on a
// second run; an admin-key event makes an admin key (after migrating),
// then is refused on a second run.
func TestSampleEvents(t *testing.T) {
	files, _ := filepath.Glob("../../events/migrate/*.json")
	if len(files) < 2 {
		t.Fatalf("want a migration and an admin-key sample event, have %v", files)
	}
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil || !json.Valid(raw) {
				t.Fatalf("%s: %v", f, err)
			}
			var ev provision.Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(context.Background(), testenv.DatabaseURL(), store.Options{SearchPath: testenv.Schema(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h := provision.Handler(st, logging.Discard())
			if ev.AdminKey != nil {
				out, err := h(context.Background(), raw)
				res, ok := out.(provision.AdminKeyResult)
				if err != nil || !ok || res.Key.Role != "admin" || !strings.HasPrefix(res.Secret, "ink_admin_") {
					t.Fatalf("first run: %+v %v", out, err)
				}
				if _, err := h(context.Background(), raw); err == nil {
					t.Fatal("second run made a second admin key unforced")
				}
				return
			}
			out, err := h(context.Background(), raw)
			res, ok := out.(store.MigrateResult)
			if err != nil || !ok || len(res.Applied) != len(ms) || res.Current != ms[len(ms)-1].Version {
				t.Fatalf("first run: %+v %v", out, err)
			}
			out, err = h(context.Background(), raw)
			if res, ok := out.(store.MigrateResult); err != nil || !ok || len(res.Applied) != 0 {
				t.Fatalf("second run: %+v %v", out, err)
			}
		})
	}
}
