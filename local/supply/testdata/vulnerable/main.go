// Command vulnerable is a deliberately vulnerable module for the audit test:
// it calls language.ParseAcceptLanguage of golang.org/x/text v0.3.7, which
// GO-2022-1059 (CVE-2022-32149, fixed in v0.3.8) makes reachable. Never
// import it; it exists so that local/supply's test can watch audit.sh fail.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/language"
)

func main() {
	tags, _, err := language.ParseAcceptLanguage(os.Getenv("ACCEPT_LANGUAGE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tags)
}
