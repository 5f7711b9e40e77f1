package testenv

import (
	"bufio"
	"encoding/json"
	"errors"
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

// StartMailpit runs a Mailpit for t on free ports; it stops when t ends.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	m, stop, err := RunMailpit(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return m
}

// RunMailpit runs a Mailpit with its database in dir, outside any one
// test (a package's TestMain), and returns it once its SMTP port and REST
// API are both its own. Mailpit binds the ports itself, after freeAddr
// has let them go: if another process takes one first, Mailpit exits and
// starts again on other ports. The kernel kills it if the test binary
// dies without calling stop.
func RunMailpit(dir string) (m *Mailpit, stop func(), err error) {
	bin := MailpitBinary()
	if _, err := os.Stat(bin); err != nil {
		return nil, nil, fmt.Errorf("testenv: no Mailpit at %s (make tools installs it: GOBIN=$PWD/dist/tools go install github.com/axllent/mailpit@%s)", bin, MailpitVersion)
	}
	for attempt := 1; ; attempt++ {
		m, stop, err = launchMailpit(bin, filepath.Join(dir, fmt.Sprintf("mailpit-%d.db", attempt)))
		if err == nil || attempt == 5 || !errors.Is(err, errMailpitExited) {
			return m, stop, err
		}
	}
}

// errMailpitExited is a Mailpit that stopped before serving: most often
// a port taken since freeAddr chose it.
var errMailpitExited = errors.New("testenv: Mailpit exited")

// launchMailpit starts Mailpit once, on ports freeAddr chooses, and waits
// until its REST API answers /api/v1/info and its SMTP port greets as
// Mailpit.
func launchMailpit(bin, db string) (*Mailpit, func(), error) {
	smtp, api := freeAddr(), freeAddr()
	cmd := exec.Command(bin, "--listen", api, "--smtp", smtp, "--disable-version-check", "--quiet", "--database", db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("testenv: start Mailpit: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = cmd.Process.Kill(); <-exited }
	m := &Mailpit{SMTPAddr: smtp, APIURL: "http://" + api}
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			out := stderr.String()
			if len(out) > 500 {
				out = "…" + out[len(out)-500:]
			}
			return nil, nil, fmt.Errorf("%w (smtp %s, api %s): %s", errMailpitExited, smtp, api, out)
		default:
		}
		err := mailpitReady(client, m.APIURL, smtp)
		if err == nil {
			return m, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("testenv: Mailpit did not serve: %w", err)
		}
	}
}

// mailpitReady checks that Mailpit's REST API describes itself and that
// its SMTP port greets as Mailpit (not some other process's listener).
func mailpitReady(client *http.Client, apiURL, smtp string) error {
	resp, err := client.Get(apiURL + "/api/v1/info")
	if err != nil {
		return err
	}
	var info struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || info.Version == "" {
		return fmt.Errorf("GET /api/v1/info: %s %v", resp.Status, err)
	}
	c, err := net.DialTimeout("tcp", smtp, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	greeting, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "220 ") || !strings.Contains(greeting, "Mailpit") {
		return fmt.Errorf("SMTP %s greets %q: %v", smtp, greeting, err)
	}
	return nil
}

// freeAddr is a loopback address no one listened on a moment ago (a
// variable, so a test can hand out a taken one).
var freeAddr = func() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
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
