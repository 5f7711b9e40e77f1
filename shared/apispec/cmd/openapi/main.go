// Command openapi writes the merged OpenAPI document, as served at
// GET /v1/openapi.json, to a file (or to stdout with -o -). The console's
// build (web/) generates its API types from it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"innkeeper/shared/apispec"
)

func main() {
	out := flag.String("o", "-", "the file to write the document to (- for stdout)")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}

// write writes the document to path, through a temporary file beside it
// so a failed run never leaves half a document behind.
func write(path string) error {
	doc, err := apispec.Document()
	if err != nil {
		return err
	}
	if path == "-" {
		_, err := os.Stdout.Write(doc)
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".openapi-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
