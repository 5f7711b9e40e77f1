package testenv

import (
	"fmt"
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
	url, stop, err := SharedStripeMock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// SharedStripeMock runs a stripe-mock on a free port for a whole test
// binary (its TestMain), as StartStripeMock does for one test: it answers
// fixtures and keeps no state, so the tests can share it. stop ends it.
func SharedStripeMock() (url string, stop func(), err error) {
	bin := StripeMockBinary()
	if _, err := os.Stat(bin); err != nil {
		return "", nil, fmt.Errorf("testenv: no stripe-mock at %s (make tools installs it: GOBIN=$PWD/dist/tools go install github.com/stripe/stripe-mock@%s)", bin, StripeMockVersion)
	}
	addr, err := listenFree()
	if err != nil {
		return "", nil, err
	}
	https, err := listenFree()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", https)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("testenv: start stripe-mock: %w", err)
	}
	stop = func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "http://" + addr, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("testenv: stripe-mock did not listen on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listenFree is a free local address.
func listenFree() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
