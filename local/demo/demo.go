// Package demo ships the demo catalogue as a file, catalogue.yaml: the
// one source of the demo hotels. make dev loads it through shared/demo,
// and make seed FILE=local/demo/catalogue.yaml sends it to any stage.
package demo

import (
	"bytes"
	_ "embed"

	"innkeeper/shared/catalog"
)

// File is catalogue.yaml as it is in the repository.
//
//go:embed catalogue.yaml
var File []byte

// Path is the file's path from the repository root.
const Path = "local/demo/catalogue.yaml"

// Catalogue is the demo catalogue, decoded and validated.
func Catalogue() (catalog.Catalog, error) { return catalog.Decode(bytes.NewReader(File)) }
