package testsync_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testsync"
)

func TestBufferTakesWritesFromManyGoroutines(t *testing.T) {
	var b testsync.Buffer
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for range 50 {
				fmt.Fprintf(&b, "line %d\n", i)
				_ = b.String() // read while others write: -race checks it
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 20*50 {
		t.Errorf("%d lines, want %d", n, 20*50)
	}
}

func TestPoll(t *testing.T) {
	var calls atomic.Int32
	if !testsync.Poll(time.Second, func() bool { return calls.Add(1) == 3 }) {
		t.Fatal("Poll gave up on a condition that came true")
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("cond called %d times, want 3: Poll stops once it holds", n)
	}
	start := time.Now()
	if testsync.Poll(20*time.Millisecond, func() bool { return false }) {
		t.Fatal("Poll reported a condition that never held")
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("Poll gave up after %s, want at least the wait", d)
	}
}

// recorder is a testing.TB that remembers a Fatalf instead of ending the
// test, so the test can look at how Eventually fails.
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

func TestEventually(t *testing.T) {
	r := &recorder{TB: t}
	ready := time.Now().Add(20 * time.Millisecond)
	testsync.Eventually(r, time.Second, "the time", func() bool { return time.Now().After(ready) })
	if r.fatal != "" {
		t.Errorf("Eventually failed on a condition that came true: %s", r.fatal)
	}
	testsync.Eventually(r, 10*time.Millisecond, "never", func() bool { return false })
	if want := "gave up waiting for never after 10ms"; r.fatal != want {
		t.Errorf("Eventually failed with %q, want %q", r.fatal, want)
	}
}
