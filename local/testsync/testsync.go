// Package testsync helps tests watch work done on other goroutines: a
// Buffer that a logger writes while the test reads it, and Eventually,
// which waits for a condition to hold.
//
// It imports only the standard library, so any test in the module can
// use it without an import cycle.
package testsync

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer that many goroutines may write and read at
// once, such as a log that the code under test writes while the test
// reads it. The zero Buffer is empty and ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// interval is how often Poll and Eventually check their condition.
const interval = 5 * time.Millisecond

// Poll checks cond every few milliseconds until it holds, and reports
// whether it did within wait. It touches no testing.T, so any goroutine
// may call it.
func Poll(wait time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
	return true
}

// Eventually waits up to wait for cond to hold, and fails the test with
// what it waited for if it does not. Like t.Fatal, it must be called from
// the goroutine running the test; on another goroutine, use Poll and
// report with t.Error.
func Eventually(t testing.TB, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Poll(wait, cond) {
		t.Fatalf("gave up waiting for %s after %s", what, wait)
	}
}
