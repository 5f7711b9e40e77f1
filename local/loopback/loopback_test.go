package loopback_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"innkeeper/local/loopback"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.9.9.9:80", true},
		{"[::1]:0", true},
		{"localhost:0", true},
		{":0", false},
		{"0.0.0.0:0", false},
		{"[::]:0", false},
		{"192.168.1.10:0", false},
		{"example.com:0", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		err := loopback.Check(tt.addr)
		if tt.ok != (err == nil) {
			t.Errorf("Check(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
	if err := loopback.Check("0.0.0.0:0"); !errors.Is(err, loopback.ErrNotLoopback) ||
		err.Error() != `refusing to listen on "0.0.0.0:0": not a loopback address` {
		t.Errorf("Check(0.0.0.0:0) = %v, want ErrNotLoopback in the message callers have shown", err)
	}
}

func TestListenServesOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := loopback.Listen(addr)
		if err != nil {
			t.Fatalf("Listen(%q): %v", addr, err)
		}
		if tcp, err := loopback.Addr(ln); err != nil || !tcp.IP.IsLoopback() || tcp.Port == 0 {
			t.Errorf("Listen(%q) is on %v (%v), want a loopback port", addr, ln.Addr(), err)
		}
		if url := loopback.URL(ln); !strings.HasPrefix(url, "http://127.0.0.1:") && !strings.HasPrefix(url, "http://[::1]:") {
			t.Errorf("URL = %q, want http://127.0.0.1:port", url)
		}
		ln.Close()
	}
	for _, addr := range []string{":0", "0.0.0.0:0", "192.168.1.10:0", "127.0.0.1"} {
		if ln, err := loopback.Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) listened on %s, want it refused", addr, ln.Addr())
		}
	}
}

// farListener claims an address beyond loopback, as a listener handed
// in from outside may be.
type farListener struct{ net.Listener }

func (farListener) Addr() net.Addr { return &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 80} }

func TestAddrRefusesAListenerBeyondLoopback(t *testing.T) {
	ln, err := loopback.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := loopback.Addr(farListener{ln}); !errors.Is(err, loopback.ErrNotLoopback) {
		t.Errorf("Addr of a listener on 192.0.2.1 = %v, want ErrNotLoopback", err)
	}
}

func TestServe(t *testing.T) {
	ln, err := loopback.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := loopback.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}))
	if srv.ReadHeaderTimeout != loopback.ReadHeaderTimeout {
		t.Errorf("ReadHeaderTimeout = %s, want %s", srv.ReadHeaderTimeout, loopback.ReadHeaderTimeout)
	}
	errs := make(chan error, 1)
	loopback.Serve(srv, ln, func(err error) { errs <- err })
	resp, err := http.Get(loopback.URL(ln))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Errorf("body %q, want hello", body)
	}
	// Closing is how a server stops: no error to report.
	srv.Close()
	select {
	case err := <-errs:
		t.Errorf("onError(%v) after Close", err)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestServeReportsAFailure(t *testing.T) {
	ln, err := loopback.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Accept fails at once.
	errs := make(chan error, 1)
	loopback.Serve(loopback.NewServer(http.NotFoundHandler()), ln, func(err error) { errs <- err })
	select {
	case err := <-errs:
		if errors.Is(err, http.ErrServerClosed) {
			t.Errorf("onError(%v), want the accept failure", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a failed Serve was not reported")
	}
	// A nil onError is allowed.
	loopback.Serve(loopback.NewServer(http.NotFoundHandler()), ln, nil)
}
