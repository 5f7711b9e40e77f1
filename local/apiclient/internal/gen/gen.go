// Package gen generates the API's Go client from the merged OpenAPI
// document (shared/apispec) with oapi-codegen, for go generate and for
// the test that fails when the committed client is stale.
package gen

import (
	"encoding/json"
	"fmt"
	"go/format"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"innkeeper/shared/apispec"
)

// Client is the source of the generated client, package apiclient.
func Client() ([]byte, error) {
	doc, err := apispec.Document()
	if err != nil {
		return nil, err
	}
	doc, err = downlevel(doc)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("gen: load document: %w", err)
	}
	src, err := codegen.Generate(spec, codegen.Configuration{
		PackageName: "apiclient",
		Generate:    codegen.GenerateOptions{Client: true, Models: true},
		OutputOptions: codegen.OutputOptions{
			ClientTypeName: "Client",
			// A response and a schema may share a name in the document
			// (components are per kind); Go types may not.
			ResolveTypeNameCollisions: true,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("gen: generate: %w", err)
	}
	out, err := format.Source([]byte(src))
	if err != nil {
		return nil, fmt.Errorf("gen: format: %w", err)
	}
	return out, nil
}

// downlevel rewrites the JSON Schema 2020-12 type lists of the 3.1
// document the generator cannot map to Go types yet: a type and null
// becomes the type, nullable (a pointer in Go); several types become
// any. The document served and validated stays as written.
func downlevel(doc []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if types, ok := t["type"].([]any); ok {
				var rest []any
				for _, ty := range types {
					if ty == "null" {
						t["nullable"] = true
					} else {
						rest = append(rest, ty)
					}
				}
				if len(rest) == 1 {
					t["type"] = rest[0]
				} else {
					delete(t, "type")
				}
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return out, nil
}
