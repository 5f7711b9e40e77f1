package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/logging"
	"innkeeper/shared/store"
)

// Each sample event applies every migration on an empty schema, then
// nothing on a second run.
func TestSampleEvents(t *testing.T) {
	files, _ := filepath.Glob("../../events/migrate/*.json")
	if len(files) == 0 {
		t.Fatal("no sample events")
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
			st, err := store.Open(context.Background(), testenv.DatabaseURL(), store.Options{SearchPath: testenv.Schema(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h := store.MigrateHandler(st, logging.Discard())
			res, err := h(context.Background(), raw)
			if err != nil || len(res.Applied) != len(ms) || res.Current != ms[len(ms)-1].Version {
				t.Fatalf("first run: %+v %v", res, err)
			}
			res, err = h(context.Background(), raw)
			if err != nil || len(res.Applied) != 0 {
				t.Fatalf("second run: %+v %v", res, err)
			}
		})
	}
}
