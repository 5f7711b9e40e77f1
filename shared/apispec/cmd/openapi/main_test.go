package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"innkeeper/shared/apispec"
)

func TestWriteIsTheServedDocument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "openapi.json")
	if err := write(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := apispec.Document()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wrote %d bytes, not the %d of apispec.Document()", len(got), len(want))
	}
	var doc struct {
		OpenAPI    string `json:"openapi"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI == "" || len(doc.Components.Schemas) == 0 {
		t.Fatalf("openapi %q, %d schemas: not the merged document", doc.OpenAPI, len(doc.Components.Schemas))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("%d files beside the document, want it alone (no temporary file left)", len(entries))
	}
}
