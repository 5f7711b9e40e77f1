// Package apispec is Innkeeper's HTTP API contract: one OpenAPI 3.1
// document, written as YAML fragments beside this file (openapi.yaml
// holds the info, the security schemes, the shared components and the
// public paths; other fragments add their paths and components) and
// served merged, as JSON, at GET /v1/openapi.json.
//
// The fragments are merged once, on first use, so a cold start that
// never serves the document never pays for it. The test suite checks
// every request and response it sends through the API against the
// merged document (local/contract), so the document cannot drift from
// the code.
package apispec

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

// Main is the fragment that holds the document's head (openapi, info,
// servers, tags, security schemes); the others add paths and components.
const Main = "openapi.yaml"

//go:embed *.yaml
var fragments embed.FS

var merged struct {
	once sync.Once
	doc  []byte
	etag string
	err  error
}

// Document is the merged OpenAPI document as JSON, or why the fragments
// do not merge (a build defect the tests catch).
func Document() ([]byte, error) {
	merged.once.Do(func() {
		files, err := readFragments(fragments)
		if err != nil {
			merged.err = err
			return
		}
		merged.doc, merged.err = Merge(files)
		if merged.err == nil {
			sum := sha256.Sum256(merged.doc)
			merged.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		}
	})
	return merged.doc, merged.err
}

// ETag is the strong entity tag of Document, quoted, or "" when the
// document does not merge.
func ETag() string {
	if _, err := Document(); err != nil {
		return ""
	}
	return merged.etag
}

func readFragments(fsys fs.FS) (map[string][]byte, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("apispec: list fragments: %w", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("apispec: read %s: %w", n, err)
		}
		out[n] = b
	}
	return out, nil
}

// Merge builds one JSON document from YAML fragments by name: Main is
// the base; every other fragment may hold only `paths` and
// `components`, whose entries (each path, and each entry of each
// components sub-map) are added to the base's. A key defined twice is an
// error, never a silent override.
func Merge(files map[string][]byte) ([]byte, error) {
	base, ok := files[Main]
	if !ok {
		return nil, fmt.Errorf("apispec: no %s", Main)
	}
	doc, err := decode(Main, base)
	if err != nil {
		return nil, err
	}
	var names []string
	for n := range files {
		if n != Main {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		frag, err := decode(n, files[n])
		if err != nil {
			return nil, err
		}
		for key, v := range frag {
			switch key {
			case "paths":
				if err := addAll(doc, "paths", v, n, "paths"); err != nil {
					return nil, err
				}
			case "components":
				comps, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("apispec: %s: components is not a mapping", n)
				}
				if doc["components"] == nil {
					doc["components"] = map[string]any{}
				}
				dc, ok := doc["components"].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("apispec: %s: components is not a mapping", Main)
				}
				for sub, entries := range comps {
					if err := addAll(dc, sub, entries, n, "components."+sub); err != nil {
						return nil, err
					}
				}
			default:
				return nil, fmt.Errorf("apispec: %s: top-level %q; a fragment holds only paths and components", n, key)
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("apispec: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// addAll adds the entries of the mapping v to parent[key], refusing one
// already there.
func addAll(parent map[string]any, key string, v any, file, where string) error {
	entries, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("apispec: %s: %s is not a mapping", file, where)
	}
	if parent[key] == nil {
		parent[key] = map[string]any{}
	}
	into, ok := parent[key].(map[string]any)
	if !ok {
		return fmt.Errorf("apispec: %s is not a mapping", where)
	}
	for k, e := range entries {
		if _, dup := into[k]; dup {
			return fmt.Errorf("apispec: %s: %s.%s is defined twice", file, where, k)
		}
		into[k] = e
	}
	return nil
}

// decode reads one YAML fragment as JSON-shaped data: mappings with
// string keys (an unquoted status code such as 200 is a string here, as
// JSON needs), so the merged document encodes as JSON.
func decode(name string, b []byte) (map[string]any, error) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("apispec: %s: %w", name, err)
	}
	norm, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("apispec: %s: %w", name, err)
	}
	m, ok := norm.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("apispec: %s: not a mapping", name)
	}
	return m, nil
}

func normalize(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			t[k] = n
		}
		return t, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = n
		}
		return out, nil
	case []any:
		for i, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			t[i] = n
		}
		return t, nil
	default:
		return v, nil
	}
}
