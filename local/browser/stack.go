package browser

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/demo"
)

// Stack is a running devstack of the test binary's own, with the
// console, the Stripe emulator and a Mailpit, on free ports and a
// database schema of its own.
type Stack struct {
	URL         string `json:"url"` // the API and the console, one origin
	WSURL       string `json:"ws_url"`
	PaymentsURL string `json:"payments_url"`
	ControlURL  string `json:"control_url"`
	AdminKey    string `json:"admin_key"`
	MailURL     string `json:"-"` // Mailpit's REST API

	stop func()
	log  string
}

// Root is the repository root, found from this file's place in it.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// StartStack builds the devstack and runs `devstack ephemeral` with a
// Mailpit of its own, and returns once the stack serves. The console must
// be built (make web). Close stops it all and drops its schema.
func StartStack(ctx context.Context) (*Stack, error) {
	root := Root()
	if _, err := os.Stat(filepath.Join(root, "web", "dist", "index.html")); err != nil {
		return nil, errors.New("browser: the console is not built (make web)")
	}
	dir, err := os.MkdirTemp("", "innkeeper-browser-")
	if err != nil {
		return nil, err
	}
	cleanups := []func(){func() { os.RemoveAll(dir) }}
	stop := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(err error) (*Stack, error) {
		stop()
		return nil, err
	}
	bin := filepath.Join(dir, "devstack")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./local/devstack")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("browser: build the devstack: %v\n%s", err, out))
	}
	smtp, mailURL, stopMail, err := startMailpit(dir)
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, stopMail)

	var b [6]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	cmd := exec.Command(bin, "ephemeral", "-schema", "browser_"+suffix, "-smtp", smtp, "-build-dir", filepath.Join(dir, "functions"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"APP_ENV=test", "LOG_LEVEL=warn",
		"DATABASE_URL="+testenv.DatabaseURL(), "REDIS_URL="+testenv.RedisURL(),
		"REDIS_KEY_PREFIX=browser:"+suffix+":", "DEV_ADMIN_KEY="+demo.SampleAdminKey,
		// One browser books and reads from one address, faster than a
		// guest would.
		"RATE_LIMITS=off",
	)
	logPath := filepath.Join(dir, "devstack.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fail(err)
	}
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fail(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("browser: start the devstack: %w", err))
	}
	// Closing stdin stops the stack; so does this process's death, which
	// closes the pipe.
	cleanups = append(cleanups, func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var line string
	select {
	case l, ok := <-lines:
		if !ok {
			raw, _ := os.ReadFile(logPath)
			return fail(fmt.Errorf("browser: the devstack stopped before serving:\n%s", tail(string(raw), 4000)))
		}
		line = l
	case <-ctx.Done():
		raw, _ := os.ReadFile(logPath)
		return fail(fmt.Errorf("browser: the devstack did not start: %w\n%s", ctx.Err(), tail(string(raw), 4000)))
	}
	s := &Stack{MailURL: mailURL, log: logPath}
	if err := json.Unmarshal([]byte(line), s); err != nil {
		return fail(fmt.Errorf("browser: devstack said %q: %w", line, err))
	}
	s.stop = stop
	return s, nil
}

// Close stops the stack and its Mailpit.
func (s *Stack) Close() {
	if s != nil && s.stop != nil {
		s.stop()
	}
}

// Log is the end of the stack's log, for a failing test's message.
func (s *Stack) Log() string {
	raw, _ := os.ReadFile(s.log)
	return tail(string(raw), 4000)
}

// API sends a request to the stack's API with key as bearer (none if
// empty) and decodes a JSON answer into out (when not nil).
func (s *Stack) API(ctx context.Context, method, path, key string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		return 0, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("browser: %s %s: %w: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, nil
}

// startMailpit runs a Mailpit of the stack's own and returns its SMTP
// address and REST API URL once both are its own. Mailpit binds the
// ports itself, after freeAddr has let them go: if another process
// takes one first, Mailpit exits, and it starts again on other ports.
// The kernel kills it if the test binary dies without stopping it.
func startMailpit(dir string) (smtp, apiURL string, stop func(), err error) {
	bin := testenv.MailpitBinary()
	if _, err := os.Stat(bin); err != nil {
		return "", "", nil, fmt.Errorf("browser: no Mailpit at %s (make tools installs it)", bin)
	}
	for attempt := 1; ; attempt++ {
		smtp, apiURL, stop, err = launchMailpit(bin, filepath.Join(dir, fmt.Sprintf("mailpit-%d.db", attempt)))
		if err == nil || attempt == 5 || !errors.Is(err, errMailpitExited) {
			return smtp, apiURL, stop, err
		}
	}
}

// errMailpitExited is a Mailpit that stopped before serving: most often
// a port taken since freeAddr chose it.
var errMailpitExited = errors.New("browser: Mailpit exited")

// launchMailpit starts Mailpit once, on ports freeAddr chooses, and waits
// until its REST API answers /api/v1/info and its SMTP port greets as
// Mailpit.
func launchMailpit(bin, db string) (smtp, apiURL string, stop func(), err error) {
	smtp, api := freeAddr(), freeAddr()
	cmd := exec.Command(bin, "--listen", api, "--smtp", smtp, "--disable-version-check", "--quiet", "--database", db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return "", "", nil, fmt.Errorf("browser: start Mailpit: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() { _ = cmd.Process.Kill(); <-exited }
	apiURL = "http://" + api
	client := &http.Client{Timeout: time.Second}
	var last error
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			return "", "", nil, fmt.Errorf("%w (smtp %s, api %s): %s", errMailpitExited, smtp, api, tail(stderr.String(), 500))
		default:
		}
		if last = mailpitReady(client, apiURL, smtp); last == nil {
			return smtp, apiURL, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", "", nil, fmt.Errorf("browser: Mailpit did not serve: %w", last)
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

// freeAddr is a loopback address no one listened on a moment ago.
var freeAddr = func() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// trimHost is a URL's host without its port.
func trimHost(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}
