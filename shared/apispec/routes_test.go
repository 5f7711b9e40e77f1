package apispec_test

import (
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

// TestDocumentHasTheManifestsRoutes fails when a route of the manifest's
// HTTP API is missing from the document, or the document has a path and
// method the manifest lacks.
func TestDocumentHasTheManifestsRoutes(t *testing.T) {
	paths := documentPaths(t)
	documented := map[string]bool{}
	for path, item := range paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	manifest := map[string]bool{}
	for _, r := range topology.Innkeeper.Routes {
		if r.Path == topology.DefaultRoute {
			continue // the catch-all: the API's own 404
		}
		manifest[r.Key()] = true
	}
	var missing, extra []string
	for k := range manifest {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !manifest[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	for _, k := range missing {
		t.Errorf("manifest route %s is not in the document", k)
	}
	for _, k := range extra {
		t.Errorf("the document has %s, which the manifest lacks", k)
	}
}
