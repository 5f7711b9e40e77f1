// Package sandbox runs Lambda functions on one machine the way Lambda
// runs them: each execution environment is a child process of the
// function's real bootstrap binary, speaking the Lambda Runtime API
// (next, response, error, init/error) to an endpoint of its own that this
// package serves. Environments take one invocation at a time; a pool per
// function starts more under concurrent load, up to a limit, and reuses
// warm ones. A timeout kills the process and fails the invocation as
// Lambda's does; a crash is reported and the next invocation gets a fresh
// process. Each invocation ends with Lambda's START, END and REPORT lines,
// measured for real: wall time and the process's peak memory.
//
// The function side is the unmodified aws-lambda-go runtime client, so
// the protocol is checked by the real library.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"innkeeper/local/awsid"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/topology"
)

// Config describes one function to run.
type Config struct {
	Function topology.Function
	// Binary is the function's bootstrap executable.
	Binary string
	// Env is the function's own settings, as KEY=value.
	Env []string
	// MaxConcurrency caps the function's environments; 10 when 0, and
	// never above the function's reserved concurrency.
	MaxConcurrency int
	// Region is AWS_REGION inside the function; eu-west-1 when empty.
	Region string
	// Log receives the functions' output and the platform lines, each
	// prefixed with the function's name; os.Stdout when nil.
	Log io.Writer
	// OnReport, when set, is called with every invocation's report and the
	// REPORT line as printed.
	OnReport func(function string, r lambdalog.Report, line string)
	// OnLine, when set, receives every line the function's log group
	// would: its own output and the platform's START, END and REPORT
	// lines, unprefixed, as they are written.
	OnLine func(function, line string)
}

// Pool runs one function's execution environments.
type Pool struct {
	fn       topology.Function
	env      []string
	region   string
	arn      string
	log      io.Writer
	logMu    *sync.Mutex
	onReport func(string, lambdalog.Report, string)
	onLine   func(string, string)
	slots    chan struct{} // one per environment allowed

	mu      sync.Mutex
	binary  string
	idle    []*env
	live    map[*env]bool
	closed  bool
	started int // environments ever started, for tests and stats
}

// NewPool prepares a pool; it starts no process until the first Invoke.
func NewPool(c Config) *Pool {
	limit := c.MaxConcurrency
	if limit <= 0 {
		limit = 10
	}
	if r := c.Function.ReservedConcurrency; r > 0 && r < limit {
		limit = r
	}
	if c.Region == "" {
		c.Region = "eu-west-1"
	}
	if c.Log == nil {
		c.Log = os.Stdout
	}
	return &Pool{
		fn: c.Function, env: c.Env, region: c.Region, log: c.Log, logMu: &sync.Mutex{},
		arn:      fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", c.Region, c.Function.Name),
		onReport: c.OnReport, onLine: c.OnLine, slots: make(chan struct{}, limit),
		binary: c.Binary, live: map[*env]bool{},
	}
}

func (p *Pool) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	p.logMu.Lock()
	fmt.Fprintf(p.log, "%-8s| %s\n", p.fn.Name, line)
	p.logMu.Unlock()
	if p.onLine != nil {
		p.onLine(p.fn.Name, line)
	}
}

// Invoke runs one invocation synchronously. It waits for a free
// environment when the pool is at its limit. An error means the function
// never ran; a function that failed is a Result with FunctionError.
func (p *Pool) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if len(payload) > MaxPayload {
		return Result{}, ErrPayloadTooLarge
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("sandbox: %s: waiting for an environment: %w", p.fn.Name, ctx.Err())
	}
	defer func() { <-p.slots }()

	// Lambda's request ids are UUIDs; the trace is an unsampled one.
	id, trace := awsid.UUID(), awsid.LambdaTraceHeader(time.Now())
	p.logf("START RequestId: %s Version: $LATEST", id)
	var res Result
	for {
		e, err := p.take()
		if err != nil {
			return Result{}, err
		}
		inv := &invocation{
			id: id, payload: payload, traceID: trace, timeout: p.fn.Timeout,
			taken: make(chan struct{}), done: make(chan outcome, 1),
		}
		var reusable bool
		res, reusable, err = e.run(ctx, inv)
		p.put(e, reusable)
		if !errors.Is(err, errGone) {
			break
		}
	}
	p.logf("END RequestId: %s", id)
	if res.Timeout {
		p.logf("%s", res.Payload)
	}
	line := res.Report.String()
	p.logf("%s", line)
	if p.onReport != nil {
		p.onReport(p.fn.Name, res.Report, line)
	}
	return res, nil
}

// take returns a warm environment of the current binary, or starts one.
func (p *Pool) take() (*env, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	for len(p.idle) > 0 {
		e := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if e.alive() && e.binary == p.binary {
			p.mu.Unlock()
			return e, nil
		}
		delete(p.live, e)
		go e.kill()
	}
	p.mu.Unlock()
	e, err := p.spawn()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		go e.kill()
		return nil, ErrClosed
	}
	p.live[e] = true
	p.started++
	return e, nil
}

// put returns an environment after an invocation, or retires it.
func (p *Pool) put(e *env, reusable bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !reusable || p.closed || e.binary != p.binary || !e.alive() {
		delete(p.live, e)
		go e.kill()
		return
	}
	p.idle = append(p.idle, e)
}

// Replace points the pool at a rebuilt binary: idle environments of the
// old one are stopped now, busy ones when their invocation ends, and new
// invocations start processes of the new one.
func (p *Pool) Replace(binary string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.binary = binary
	keep := p.idle[:0]
	for _, e := range p.idle {
		if e.binary == binary {
			keep = append(keep, e)
			continue
		}
		delete(p.live, e)
		go e.kill()
	}
	p.idle = keep
}

// Stats is what a pool holds now.
type Stats struct {
	Live    int // environments running
	Idle    int // of which warm and waiting
	Started int // environments ever started
}

// Stats reports the pool's environments.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Live: len(p.live), Idle: len(p.idle), Started: p.started}
}

// Close stops every environment; later invocations fail with ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	envs := make([]*env, 0, len(p.live))
	for e := range p.live {
		envs = append(envs, e)
	}
	p.live, p.idle = map[*env]bool{}, nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range envs {
		wg.Add(1)
		go func() { defer wg.Done(); e.kill() }()
	}
	wg.Wait()
}

// Invoker runs a function synchronously, as Lambda's Invoke API does: the
// gateways, the SQS poller and the scheduler drive functions through it,
// and Runtime is the one the devstack gives them.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) (Result, error)
}

var _ Invoker = (*Runtime)(nil)

// Runtime is the pools of several functions, invoked by name.
type Runtime struct {
	pools map[string]*Pool
}

// NewRuntime builds a pool per config.
func NewRuntime(cs ...Config) *Runtime {
	r := &Runtime{pools: map[string]*Pool{}}
	for _, c := range cs {
		r.pools[c.Function.Name] = NewPool(c)
	}
	return r
}

// Invoke runs function synchronously.
func (r *Runtime) Invoke(ctx context.Context, function string, payload []byte) (Result, error) {
	p, ok := r.pools[function]
	if !ok {
		return Result{}, fmt.Errorf("%w: %s", ErrUnknownFunction, function)
	}
	return p.Invoke(ctx, payload)
}

// Pool returns a function's pool.
func (r *Runtime) Pool(function string) (*Pool, bool) {
	p, ok := r.pools[function]
	return p, ok
}

// Functions lists the functions, by name.
func (r *Runtime) Functions() []string {
	names := make([]string, 0, len(r.pools))
	for n := range r.pools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close stops every pool.
func (r *Runtime) Close() {
	for _, p := range r.pools {
		p.Close()
	}
}
