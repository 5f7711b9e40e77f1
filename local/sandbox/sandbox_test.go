package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testsync"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/topology"
)

var probeBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sandbox-test-")
	if err != nil {
		panic(err)
	}
	probeBinary, err = Build(context.Background(), ".", "./testdata/probe", filepath.Join(dir, "probe"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func probePool(t *testing.T, timeout time.Duration, limit int) (*Pool, *testsync.Buffer) {
	t.Helper()
	log := &testsync.Buffer{}
	p := NewPool(Config{
		Function: topology.Function{Name: "probe", MemoryMB: 256, Timeout: timeout, Arch: "arm64"},
		Binary:   probeBinary, Env: []string{"PROBE_SETTING=on"}, MaxConcurrency: limit, Log: log,
	})
	t.Cleanup(p.Close)
	return p, log
}

type answer struct {
	RequestID   string            `json:"request_id"`
	FunctionARN string            `json:"function_arn"`
	DeadlineMS  int64             `json:"deadline_in_ms"`
	PID         int               `json:"pid"`
	Env         map[string]string `json:"env"`
}

func invoke(t *testing.T, p *Pool, event string) (Result, answer) {
	t.Helper()
	res, a, err := tryInvoke(p, event)
	if err != nil {
		t.Fatal(err)
	}
	return res, a
}

// tryInvoke is invoke for a goroutine: it returns the error, as only the
// test's goroutine may call t.Fatal.
func tryInvoke(p *Pool, event string) (Result, answer, error) {
	res, err := p.Invoke(context.Background(), []byte(event))
	if err != nil {
		return res, answer{}, err
	}
	var a answer
	if res.FunctionError == "" {
		if err := json.Unmarshal(res.Payload, &a); err != nil {
			return res, a, fmt.Errorf("payload %s: %v", res.Payload, err)
		}
	}
	return res, a, nil
}

func TestInvokeSpeaksTheRuntimeAPI(t *testing.T) {
	t.Parallel()
	p, log := probePool(t, 3*time.Second, 2)
	res, a := invoke(t, p, `{}`)
	if res.FunctionError != "" {
		t.Fatalf("function error: %s", res.Payload)
	}
	// What the real aws-lambda-go client read from our Runtime API.
	if a.RequestID != res.RequestID || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a.RequestID) {
		t.Errorf("request id %q (result %q)", a.RequestID, res.RequestID)
	}
	if a.FunctionARN != "arn:aws:lambda:eu-west-1:000000000000:function:probe" {
		t.Errorf("arn %q", a.FunctionARN)
	}
	if a.DeadlineMS < 2500 || a.DeadlineMS > 3000 {
		t.Errorf("deadline %d ms away, want about the 3 s timeout", a.DeadlineMS)
	}
	if !strings.HasPrefix(a.Env["_X_AMZN_TRACE_ID"], "Root=1-") {
		t.Errorf("trace id %q", a.Env["_X_AMZN_TRACE_ID"])
	}
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "probe", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "eu-west-1",
		"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/probe", "PROBE_SETTING": "on", "HOME": "", "TZ": ":UTC",
	} {
		if a.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, a.Env[k], want)
		}
	}
	// A cold start reports its init; the platform lines are printed.
	if res.Report.InitDuration <= 0 || res.Report.MemorySizeMB != 256 || res.Report.MaxMemoryUsedMB <= 0 {
		t.Errorf("report %+v", res.Report)
	}
	if res.Report.BilledDuration < res.Report.Duration+res.Report.InitDuration || res.Report.BilledDuration%time.Millisecond != 0 {
		t.Errorf("billed %v for %v + init %v", res.Report.BilledDuration, res.Report.Duration, res.Report.InitDuration)
	}
	out := log.String()
	for _, want := range []string{"START RequestId: " + res.RequestID + " Version: $LATEST", "END RequestId: " + res.RequestID,
		"REPORT RequestId: " + res.RequestID + "\tDuration: ", "\tInit Duration: "} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}

	// Warm: the same process, no init.
	res2, a2 := invoke(t, p, `{}`)
	if a2.PID != a.PID || res2.Report.InitDuration != 0 || strings.Contains(res2.Report.String(), "Init Duration") {
		t.Errorf("second invocation: pid %d (first %d), report %s", a2.PID, a.PID, res2.Report)
	}
}

func TestReportLineFormat(t *testing.T) {
	// The duration as measured, given the precision the line shows, as
	// env.report does.
	r := lambdalog.Report{RequestID: "r-1", Duration: lambdalog.Printed(1234567 * time.Nanosecond), BilledDuration: billed(1234567 * time.Nanosecond),
		MemorySizeMB: 512, MaxMemoryUsedMB: 31, InitDuration: 42 * time.Millisecond}
	want := "REPORT RequestId: r-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 31 MB\tInit Duration: 42.00 ms"
	if r.String() != want {
		t.Fatalf("got  %q\nwant %q", r.String(), want)
	}
	for d, want := range map[time.Duration]time.Duration{0: 0, time.Microsecond: time.Millisecond, time.Millisecond: time.Millisecond, 1001 * time.Microsecond: 2 * time.Millisecond} {
		if got := billed(d); got != want {
			t.Errorf("billed(%v) = %v, want %v", d, got, want)
		}
	}
}

func TestFunctionErrorKeepsTheEnvironment(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, 3*time.Second, 1)
	_, first := invoke(t, p, `{}`)
	res, _ := invoke(t, p, `{"error":"no rooms"}`)
	var doc struct{ ErrorMessage, ErrorType string }
	_ = json.Unmarshal(res.Payload, &doc)
	if res.FunctionError != "Unhandled" || doc.ErrorMessage != "no rooms" || doc.ErrorType == "" {
		t.Fatalf("got %q %s", res.FunctionError, res.Payload)
	}
	_, after := invoke(t, p, `{}`)
	if after.PID != first.PID {
		t.Fatal("a handled error must not cost the warm environment")
	}
}

func TestTimeoutKillsAndTheNextGetsAFreshProcess(t *testing.T) {
	t.Parallel()
	p, log := probePool(t, time.Second, 1)
	_, first := invoke(t, p, `{}`)
	start := time.Now()
	res, _ := invoke(t, p, `{"sleep_ms":5000}`)
	if took := time.Since(start); took > 2500*time.Millisecond {
		t.Fatalf("timeout took %v", took)
	}
	if !res.Timeout || res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "Task timed out after 1.00 seconds") {
		t.Fatalf("got timeout=%v %q %s", res.Timeout, res.FunctionError, res.Payload)
	}
	if !strings.Contains(log.String(), "Status: timeout") {
		t.Fatal("REPORT line lacks the timeout status")
	}
	if err := syscallAlive(first.PID); err == nil {
		t.Fatalf("process %d still alive after its timeout", first.PID)
	}
	res, next := invoke(t, p, `{}`)
	if res.FunctionError != "" || next.PID == first.PID || res.Report.InitDuration == 0 {
		t.Fatalf("after a timeout: %q pid %d (old %d), init %v", res.FunctionError, next.PID, first.PID, res.Report.InitDuration)
	}
}

func syscallAlive(pid int) error {
	return exec.Command("kill", "-0", fmt.Sprint(pid)).Run()
}

func TestCrashIsReportedAndReplaced(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, 3*time.Second, 1)
	_, first := invoke(t, p, `{}`)
	for _, event := range []string{`{"exit":3}`, `{"panic":true}`} {
		res, _ := invoke(t, p, event)
		if res.FunctionError != "Unhandled" {
			t.Fatalf("%s: got %q %s", event, res.FunctionError, res.Payload)
		}
		if event == `{"exit":3}` && !strings.Contains(string(res.Payload), "Runtime exited with error: exit status 3") {
			t.Fatalf("crash payload %s", res.Payload)
		}
		res, next := invoke(t, p, `{}`)
		if res.FunctionError != "" || next.PID == first.PID {
			t.Fatalf("after %s: %q, pid %d (old %d)", event, res.FunctionError, next.PID, first.PID)
		}
		first = next
	}
}

func TestInitFailure(t *testing.T) {
	t.Parallel()
	p := NewPool(Config{Function: topology.Function{Name: "probe", MemoryMB: 128, Timeout: time.Second},
		Binary: probeBinary, Env: []string{"PROBE_FAIL_INIT=1"}, Log: &testsync.Buffer{}})
	defer p.Close()
	res, err := p.Invoke(context.Background(), []byte(`{}`))
	if err != nil || res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "exit status 4") {
		t.Fatalf("got %v %q %s", err, res.FunctionError, res.Payload)
	}
	if p.Stats().Live != 0 {
		t.Fatal("a dead environment stayed in the pool")
	}
}

func TestInitErrorReportedThroughTheRuntimeAPI(t *testing.T) {
	t.Parallel()
	p := NewPool(Config{Function: topology.Function{Name: "probe", MemoryMB: 128, Timeout: time.Second},
		Binary: probeBinary, Env: []string{"PROBE_INIT_ERROR=no database"}, Log: &testsync.Buffer{}})
	defer p.Close()
	res, err := p.Invoke(context.Background(), []byte(`{}`))
	var doc struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(res.Payload, &doc)
	if err != nil || res.FunctionError != "Unhandled" || doc.ErrorType != "Probe.InitFailed" || doc.ErrorMessage != "no database" {
		t.Fatalf("got %v %q %s", err, res.FunctionError, res.Payload)
	}
}

func TestRuntimeAPIRefusesAStrangersRequestID(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, time.Second, 1)
	e, err := p.take()
	if err != nil {
		t.Fatal(err)
	}
	defer e.kill()
	<-e.initDone // the process asked for work: the endpoint is up
	addr := envValue(e.cmd.Env, "AWS_LAMBDA_RUNTIME_API")
	resp, err := http.Post("http://"+addr+"/2018-06-01/runtime/invocation/not-the-id/response", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d for an unknown request id, want 400", resp.StatusCode)
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func TestPoolGrowsToItsLimitAndReusesWarmProcesses(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, 5*time.Second, 3)
	var wg sync.WaitGroup
	pids := make([]int, 9)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, a, err := tryInvoke(p, `{"sleep_ms":150}`)
			if err != nil {
				t.Errorf("invocation %d: %v", i, err)
				return
			}
			pids[i] = a.PID
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow() // an invocation above failed: the counts would only repeat it
	}
	distinct := map[int]bool{}
	for _, pid := range pids {
		distinct[pid] = true
	}
	if len(distinct) != 3 {
		t.Fatalf("9 concurrent invocations with a limit of 3 ran in %d processes, want 3", len(distinct))
	}
	if s := p.Stats(); s.Started != 3 || s.Idle != 3 {
		t.Fatalf("stats %+v", s)
	}
	// One at a time afterwards: no new process.
	for range 3 {
		invoke(t, p, `{}`)
	}
	if s := p.Stats(); s.Started != 3 {
		t.Fatalf("sequential invocations started processes: %+v", s)
	}
}

func TestReservedConcurrencyCapsThePool(t *testing.T) {
	p := NewPool(Config{Function: topology.Function{Name: "probe", MemoryMB: 128, Timeout: time.Second, ReservedConcurrency: 1},
		Binary: probeBinary, MaxConcurrency: 10, Log: &testsync.Buffer{}})
	defer p.Close()
	if cap(p.slots) != 1 {
		t.Fatalf("limit %d, want the reserved 1", cap(p.slots))
	}
}

func TestReplaceDrainsOldProcesses(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, 3*time.Second, 2)
	_, old := invoke(t, p, `{}`)
	copyBin := filepath.Join(t.TempDir(), "bootstrap")
	raw, _ := os.ReadFile(probeBinary)
	if err := os.WriteFile(copyBin, raw, 0o755); err != nil {
		t.Fatal(err)
	}
	p.Replace(copyBin)
	_, fresh := invoke(t, p, `{}`)
	if fresh.PID == old.PID {
		t.Fatal("an environment of the old binary served after Replace")
	}
	deadline := time.Now().Add(3 * time.Second)
	for syscallAlive(old.PID) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("old process %d still running", old.PID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMaxMemoryUsedIsMeasured(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, 5*time.Second, 1)
	small, _ := invoke(t, p, `{}`)
	big, _ := invoke(t, p, `{"alloc_mb":64}`)
	if big.Report.MaxMemoryUsedMB < small.Report.MaxMemoryUsedMB+60 {
		t.Fatalf("peak %d MB after 64 MB more than %d MB", big.Report.MaxMemoryUsedMB, small.Report.MaxMemoryUsedMB)
	}
}

func TestPayloadLimitAndUnknownFunction(t *testing.T) {
	t.Parallel()
	p, _ := probePool(t, time.Second, 1)
	if _, err := p.Invoke(context.Background(), make([]byte, MaxPayload+1)); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("got %v", err)
	}
	r := &Runtime{pools: map[string]*Pool{"probe": p}}
	if _, err := r.Invoke(context.Background(), "nope", []byte(`{}`)); !errors.Is(err, ErrUnknownFunction) {
		t.Fatalf("got %v", err)
	}
}
