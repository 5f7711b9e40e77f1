package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// StripeMockVersion is the stripe-mock the Makefile installs into
// dist/tools.
const StripeMockVersion = "v0.203.0"

// StripeMockBinary is where the Makefile installs stripe-mock
// (STRIPE_MOCK_BIN overrides).
func StripeMockBinary() string {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b
	}
	return filepath.Join(root(), "dist", "tools", "stripe-mock")
}

// StartStripeMock runs Stripe's official API mock for t on a free port and
// returns its base URL (http://127.0.0.1:port), for a Stripe client's
// backend. It validates every request against Stripe's published OpenAPI
// spec and answers fixtures; it stops when t ends. A missing binary fails
// the test, never skips it: make tools installs it.
func StartStripeMock(t testing.TB) string {
	t.Helper()
	bin := StripeMockBinary()
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("testenv: no stripe-mock at %s (make tools installs it: GOBIN=$PWD/dist/tools go install github.com/stripe/stripe-mock@%s)", bin, StripeMockVersion)
	}
	addr := freePort(t)
	https := freePort(t)
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", https)
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: stripe-mock did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
