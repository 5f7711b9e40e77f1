package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/joho/godotenv"
)

// loadDotEnv reads KEY=value lines from the files that exist into the
// process environment, never overriding a variable already set. It lives
// here, not in shared/config, so no function binary carries a .env parser
// it never uses in the cloud.
func loadDotEnv(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := godotenv.Load(p); err != nil {
			return fmt.Errorf("devstack: read %s: %w", p, err)
		}
	}
	return nil
}
