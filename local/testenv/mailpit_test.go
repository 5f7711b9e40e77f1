package testenv

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Mailpit starts again on other ports when another process took its SMTP
// port between freeAddr's choice and Mailpit's bind, and a listener that
// is not Mailpit's never passes for it.
func TestMailpitStartsAgainWhenItsPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	go func() {
		for {
			c, err := taken.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("220 someone else's ESMTP\r\n"))
			c.Close()
		}
	}()
	client := &http.Client{Timeout: time.Second}
	if err := mailpitReady(client, "http://"+taken.Addr().String(), taken.Addr().String()); err == nil {
		t.Fatal("a listener that is not Mailpit's passes for Mailpit")
	}

	real := freeAddr
	defer func() { freeAddr = real }()
	calls := 0
	freeAddr = func() string {
		calls++
		if calls == 1 { // the first attempt's SMTP port
			return taken.Addr().String()
		}
		return real()
	}
	m, stop, err := RunMailpit(t.TempDir())
	if err != nil {
		t.Fatalf("Mailpit did not start again: %v", err)
	}
	defer stop()
	smtp, api := m.SMTPAddr, m.APIURL
	if calls < 4 || smtp == taken.Addr().String() {
		t.Fatalf("Mailpit on %s after %d port choices", smtp, calls)
	}
	if err := mailpitReady(client, api, smtp); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(api, "http://127.0.0.1:") {
		t.Errorf("API %s", api)
	}
}
