package apispec_test

import (
	"encoding/json"
	"testing"

	"innkeeper/shared/apispec"
)

// documentPaths is the merged document's paths: each path's operations
// (and other keys) by name, as raw JSON.
func documentPaths(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	doc, err := apispec.Document()
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	return d.Paths
}
