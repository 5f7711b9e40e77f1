package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"innkeeper/local/contract"
	"innkeeper/shared/apispec"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
)

func TestOpenAPIDocumentIsServedAndRevalidated(t *testing.T) {
	api := httpapi.New(httpapi.Deps{Logger: logging.Discard()})
	srv := httptest.NewServer(contract.Check(t, api))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	etag := res.Header.Get("ETag")
	switch {
	case res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json":
		t.Fatalf("%d %s, want 200 application/json", res.StatusCode, res.Header.Get("Content-Type"))
	case doc.OpenAPI != "3.1.0" || doc.Paths["/v1/openapi.json"] == nil:
		t.Fatalf("openapi %q with %d paths, want 3.1.0 describing itself", doc.OpenAPI, len(doc.Paths))
	case etag == "" || etag != apispec.ETag():
		t.Fatalf("ETag %q, want %q", etag, apispec.ETag())
	case res.Header.Get("Cache-Control") == "":
		t.Fatal("no Cache-Control")
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the ETag: %d, want 304", again.StatusCode)
	}
}
