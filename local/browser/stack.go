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
	mail, stopMail, err := testenv.RunMailpit(dir)
	if err != nil {
		return fail(err)
	}
	smtp, mailURL := mail.SMTPAddr, mail.APIURL
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
