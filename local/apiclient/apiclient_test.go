package apiclient_test

import (
	"bytes"
	"os"
	"testing"

	"innkeeper/local/apiclient/internal/gen"
)

// TestClientIsFresh fails when client.gen.go differs from a fresh
// generation from the document: run go generate ./local/apiclient.
func TestClientIsFresh(t *testing.T) {
	want, err := gen.Client()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("client.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("client.gen.go is stale: run go generate ./local/apiclient")
	}
}
