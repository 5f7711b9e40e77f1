package sandbox

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"innkeeper/local/loopback"
	"innkeeper/shared/lambdalog"
)

// initTimeout is how long an environment may take from process start to
// its first request for work, as Lambda's init phase limit.
const initTimeout = 10 * time.Second

// env is one execution environment: a process of the function's binary
// and the Runtime API endpoint only it talks to.
type env struct {
	pool   *Pool
	binary string
	cmd    *exec.Cmd
	srv    *http.Server

	started  time.Time
	initDone chan struct{} // closed at the first GET …/next
	initAt   time.Time

	work   chan *invocation // handed to the process by GET …/next
	exited chan struct{}    // closed when the process is gone
	exit   error

	mu        sync.Mutex
	current   *invocation
	initError []byte // what POST …/init/error reported
	cold      bool   // no invocation served yet
}

// invocation is one request for work, from Invoke to its outcome.
type invocation struct {
	id       string
	payload  []byte
	traceID  string
	timeout  time.Duration
	taken    chan struct{} // closed when the process took it
	start    time.Time     // when it was taken
	deadline time.Time
	done     chan outcome // buffered: the first outcome wins
}

type outcome struct {
	payload []byte
	failed  bool // the function reported an error
	at      time.Time
}

// spawn starts an execution environment for the pool's current binary.
func (p *Pool) spawn() (*env, error) {
	ln, err := loopback.Listen("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %s: runtime api listener: %w", p.fn.Name, err)
	}
	e := &env{
		pool:     p,
		binary:   p.binary,
		initDone: make(chan struct{}),
		work:     make(chan *invocation),
		exited:   make(chan struct{}),
		cold:     true,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", e.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", e.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", e.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", e.initErr)
	e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()

	e.cmd = exec.Command(e.binary)
	e.cmd.Dir = filepath.Dir(e.binary)
	e.cmd.Env = p.environ(ln.Addr().String())
	dieWithParent(e.cmd)
	stdout, _ := e.cmd.StdoutPipe()
	stderr, _ := e.cmd.StderrPipe()
	e.started = time.Now()
	if err := e.cmd.Start(); err != nil {
		_ = e.srv.Close()
		return nil, fmt.Errorf("sandbox: %s: start %s: %w", p.fn.Name, e.binary, err)
	}
	var copying sync.WaitGroup
	copying.Add(2)
	go func() { defer copying.Done(); p.logLines(stdout) }()
	go func() { defer copying.Done(); p.logLines(stderr) }()
	go func() {
		copying.Wait() // Wait closes the pipes; read them to the end first
		e.exit = e.cmd.Wait()
		close(e.exited)
		_ = e.srv.Close()
	}()
	return e, nil
}

// environ is the process environment: Lambda's reserved variables, the
// function's own settings, and nothing inherited from the devstack.
func (p *Pool) environ(runtimeAPI string) []string {
	stream := make([]byte, 16)
	_, _ = rand.Read(stream)
	dir := filepath.Dir(p.binary)
	env := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + p.fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(p.fn.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + p.fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(stream),
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + p.region,
		"AWS_DEFAULT_REGION=" + p.region,
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		// The execution role's credentials, as Lambda gives them; the
		// devstack's emulators do not check them.
		"AWS_ACCESS_KEY_ID=devstack",
		"AWS_SECRET_ACCESS_KEY=devstack",
		"AWS_SESSION_TOKEN=devstack",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=/usr/local/bin:/usr/bin:/bin",
	}
	return append(env, p.env...)
}

// logLines copies the process's output to the pool's log, a line at a time.
func (p *Pool) logLines(r io.Reader) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		p.logf("%s", s.Text())
	}
}

// next hands the process its next invocation, long-polling until there is
// one, as the Runtime API does.
func (e *env) next(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	if e.initAt.IsZero() {
		e.initAt = time.Now()
		close(e.initDone)
	}
	e.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-e.work:
	case <-r.Context().Done():
		return
	}
	inv.start = time.Now()
	inv.deadline = inv.start.Add(inv.timeout)
	e.mu.Lock()
	e.current = inv
	e.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", e.pool.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	close(inv.taken)
	_, _ = w.Write(inv.payload)
}

// currentFor returns the invocation the request id names, if it is the
// one in progress.
func (e *env) currentFor(w http.ResponseWriter, r *http.Request) *invocation {
	e.mu.Lock()
	inv := e.current
	e.mu.Unlock()
	if inv == nil || inv.id != r.PathValue("id") {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	return inv
}

func (e *env) response(w http.ResponseWriter, r *http.Request) {
	inv := e.currentFor(w, r)
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidPayload", "could not read the response")
		return
	}
	if len(body) > MaxPayload {
		e.finish(inv, errorDoc("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload)), true)
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
		return
	}
	e.finish(inv, body, false)
	writeAccepted(w)
}

func (e *env) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := e.currentFor(w, r)
	if inv == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	if !json.Valid(body) {
		body = errorDoc(r.Header.Get("Lambda-Runtime-Function-Error-Type"), strings.TrimSpace(string(body)))
	}
	e.finish(inv, body, true)
	writeAccepted(w)
}

func (e *env) initErr(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	if !json.Valid(body) {
		body = errorDoc("Runtime.InitError", strings.TrimSpace(string(body)))
	}
	e.mu.Lock()
	e.initError = body
	e.mu.Unlock()
	writeAccepted(w)
}

// finish records inv's outcome; only the first counts.
func (e *env) finish(inv *invocation, payload []byte, failed bool) {
	e.mu.Lock()
	if e.current == inv {
		e.current = nil
	}
	e.mu.Unlock()
	select {
	case inv.done <- outcome{payload: payload, failed: failed, at: time.Now()}:
	default:
	}
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func writeRuntimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorDoc(typ, msg))
}

// errorDoc is Lambda's error document.
func errorDoc(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return b
}

// errGone means a warm environment's process ended while it was idle (a
// runtime that exits after reporting a panic does so): the invocation
// never reached it and goes to a fresh environment, as on Lambda.
var errGone = errors.New("sandbox: environment gone before the invocation")

// run performs one invocation on e and reports how it went, and whether
// e can serve again. The environment is left dead (killed) after a
// timeout, a crash or an init failure.
func (e *env) run(ctx context.Context, inv *invocation) (Result, bool, error) {
	res := Result{RequestID: inv.id}
	cold := e.cold
	e.cold = false

	// Hand over the work: a cold process first has to start and ask.
	initLimit := time.NewTimer(initTimeout)
	defer initLimit.Stop()
	select {
	case e.work <- inv:
	case <-e.exited:
		if !cold {
			return res, false, errGone
		}
		return e.failed(res, inv, cold, "Runtime.ExitError", e.exitMessage(inv)), false, nil
	case <-initLimit.C:
		e.kill()
		return e.failed(res, inv, cold, "Runtime.InitTimeout", fmt.Sprintf("RequestId: %s Error: init did not finish within %v", inv.id, initTimeout)), false, nil
	case <-ctx.Done():
		// The caller went away before the function started: the
		// environment stays as it was.
		return e.failed(res, inv, cold, "Runtime.Cancelled", ctx.Err().Error()), e.alive(), nil
	}
	<-inv.taken

	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case o := <-inv.done:
		res.Payload = o.payload
		if o.failed {
			res.FunctionError = "Unhandled"
		}
		res.Report = e.report(inv, o.at, cold, "")
		return res, e.alive(), nil
	case <-e.exited:
		return e.failed(res, inv, cold, "Runtime.ExitError", e.exitMessage(inv)), false, nil
	case <-timer.C:
		e.kill()
		res = e.failed(res, inv, cold, "Sandbox.Timedout", fmt.Sprintf("%s %s Task timed out after %.2f seconds",
			time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, inv.timeout.Seconds()))
		res.Timeout = true
		res.Report.Status = "timeout"
		return res, false, nil
	}
}

// failed fills res for an invocation that did not end with the function's
// own answer.
func (e *env) failed(res Result, inv *invocation, cold bool, typ, msg string) Result {
	e.mu.Lock()
	initErr := e.initError
	e.mu.Unlock()
	res.Payload = errorDoc(typ, msg)
	if initErr != nil {
		res.Payload = initErr
	}
	res.FunctionError = "Unhandled"
	end := time.Now()
	if inv.start.IsZero() {
		inv.start = end
	}
	res.Report = e.report(inv, end, cold, "error")
	return res
}

func (e *env) exitMessage(inv *invocation) string {
	<-e.exited
	reason := "exit status 0"
	if e.exit != nil {
		reason = e.exit.Error()
	}
	return fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", inv.id, reason)
}

// report measures the invocation: wall time, and the process's peak
// resident memory, as Lambda's REPORT line gives them.
func (e *env) report(inv *invocation, end time.Time, cold bool, status string) lambdalog.Report {
	r := lambdalog.Report{
		RequestID:       inv.id,
		Duration:        lambdalog.Printed(end.Sub(inv.start)),
		MemorySizeMB:    e.pool.fn.MemoryMB,
		MaxMemoryUsedMB: peakRSS(e.cmd),
		Status:          status,
	}
	if cold {
		e.mu.Lock()
		at := e.initAt
		e.mu.Unlock()
		if !at.IsZero() {
			r.InitDuration = lambdalog.Printed(at.Sub(e.started))
		}
	}
	// provided.al2023 bills the init phase with the first invocation.
	r.BilledDuration = billed(r.Duration + r.InitDuration)
	return r
}

// billed rounds a duration up to the next millisecond, as Lambda bills.
func billed(d time.Duration) time.Duration {
	return time.Duration(lambdalog.CeilMillis(d)) * time.Millisecond
}

// peakRSS reads the process's high-water resident set, in MB, rounded up.
func peakRSS(cmd *exec.Cmd) int {
	if cmd.Process == nil {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return (kb + 1023) / 1024
		}
	}
	return 0
}

func (e *env) alive() bool {
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// kill ends the process at once, as Lambda does on a timeout, and waits
// until it is gone.
func (e *env) kill() {
	if e.cmd.Process != nil {
		_ = e.cmd.Process.Kill()
	}
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
	}
}
