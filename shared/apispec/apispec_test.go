package apispec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"innkeeper/shared/apispec"
)

func TestDocumentIsOpenAPI31JSON(t *testing.T) {
	doc, err := apispec.Document()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if m["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", m["openapi"])
	}
	comps, _ := m["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	for _, s := range []string{"StaffKey", "AdminKey", "FinanceKey"} {
		if schemes[s] == nil {
			t.Errorf("security scheme %s missing", s)
		}
	}
	if etag := apispec.ETag(); !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Errorf("ETag %q is not a quoted tag", etag)
	}
}

func TestMerge(t *testing.T) {
	main := []byte("openapi: 3.1.0\npaths:\n  /a:\n    get: {responses: {200: {description: ok}}}\ncomponents:\n  schemas:\n    A: {type: string}\n")
	tests := []struct {
		name    string
		frag    string
		wantErr string
		check   func(t *testing.T, m map[string]any)
	}{
		{
			name: "paths and components are added",
			frag: "paths:\n  /b:\n    get: {responses: {'200': {description: ok}}}\ncomponents:\n  schemas:\n    B: {type: integer}\n  parameters:\n    P: {name: p, in: query}\n",
			check: func(t *testing.T, m map[string]any) {
				paths := m["paths"].(map[string]any)
				if paths["/a"] == nil || paths["/b"] == nil {
					t.Errorf("paths = %v, want /a and /b", paths)
				}
				c := m["components"].(map[string]any)
				if c["schemas"].(map[string]any)["B"] == nil || c["parameters"].(map[string]any)["P"] == nil {
					t.Errorf("components = %v", c)
				}
				get := paths["/a"].(map[string]any)["get"].(map[string]any)
				if get["responses"].(map[string]any)["200"] == nil {
					t.Errorf("an unquoted status code is not the key \"200\": %v", get)
				}
			},
		},
		{name: "duplicate path", frag: "paths:\n  /a: {}\n", wantErr: "paths./a is defined twice"},
		{name: "duplicate schema", frag: "components:\n  schemas:\n    A: {type: integer}\n", wantErr: "components.schemas.A is defined twice"},
		{name: "other top-level key", frag: "info: {title: x}\n", wantErr: `top-level "info"`},
		{name: "not YAML", frag: "paths: [\n", wantErr: "frag.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := apispec.Merge(map[string][]byte{apispec.Main: main, "frag.yaml": []byte(tt.frag)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
		})
	}
}
