//go:build !linux

package store

import (
	"syscall"
	"time"
)

// userTimeout does nothing where TCP_USER_TIMEOUT does not exist; the
// deadlines on every call still bound a silent database.
func userTimeout(time.Duration) func(network, address string, c syscall.RawConn) error {
	return nil
}
