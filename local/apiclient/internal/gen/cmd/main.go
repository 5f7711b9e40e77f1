// Command gen writes the generated client (go generate in local/apiclient).
package main

import (
	"log"
	"os"

	"innkeeper/local/apiclient/internal/gen"
)

func main() {
	src, err := gen.Client()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("client.gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
