package testenv

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// MailpitVersion is the Mailpit the Makefile installs into dist/tools.
const MailpitVersion = "v1.33.1"

// Mailpit is a Mailpit server of a test's own: SMTP in, REST API out.
type Mailpit struct {
	SMTPAddr string
	APIURL   string
}

// root is the repository root, found from this file's place in it.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// MailpitBinary is where the Makefile installs Mailpit (MAILPIT_BIN
// overrides).
func MailpitBinary() string {
	if b := os.Getenv("MAILPIT_BIN"); b != "" {
		return b
	}
	return filepath.Join(root(), "dist", "tools", "mailpit")
}

func freePort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// StartMailpit runs a Mailpit for t on free ports; it stops when t ends.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := MailpitBinary()
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("testenv: no Mailpit at %s (make tools installs it: GOBIN=$PWD/dist/tools go install github.com/axllent/mailpit@%s)", bin, MailpitVersion)
	}
	m := &Mailpit{SMTPAddr: freePort(t)}
	api := freePort(t)
	m.APIURL = "http://" + api
	cmd := exec.Command(bin, "--listen", api, "--smtp", m.SMTPAddr, "--disable-version-check", "--quiet",
		"--database", filepath.Join(t.TempDir(), "mailpit.db"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(m.APIURL + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", m.SMTPAddr); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: mailpit did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Mail is one message as Mailpit lists it.
type Mail struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
	MessageID string `json:"MessageID"`
}

// Messages lists what Mailpit received, newest first.
func (m *Mailpit) Messages(t testing.TB) []Mail {
	t.Helper()
	resp, err := http.Get(m.APIURL + "/api/v1/messages?limit=500")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []Mail `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// Count is how many messages have a subject containing s.
func (m *Mailpit) Count(t testing.TB, s string) int {
	n := 0
	for _, msg := range m.Messages(t) {
		if strings.Contains(msg.Subject, s) {
			n++
		}
	}
	return n
}

// WaitFor waits until n messages with a subject containing s arrived, and
// fails t after timeout.
func (m *Mailpit) WaitFor(t testing.TB, s string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := m.Count(t, s)
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			var subjects []string
			for _, msg := range m.Messages(t) {
				subjects = append(subjects, msg.Subject)
			}
			t.Fatalf("testenv: %d of %d messages %q after %v; Mailpit has %s", got, n, s, timeout, fmt.Sprint(subjects))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Body reads one message's plain text and HTML.
func (m *Mailpit) Body(t testing.TB, id string) (text, html string) {
	t.Helper()
	resp, err := http.Get(m.APIURL + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Text string `json:"Text"`
		HTML string `json:"HTML"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Text, out.HTML
}
