package testenv

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// FreeAddr is a loopback address with a port free at the time of the
// call, for a server a test must know the address of before it starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return freeAddr()
}

// StallProxy is a TCP proxy in front of a real service that can hold back
// what the service sends: while stalled, clients still connect and what
// they send reaches the service, but its replies wait, as with a server
// that has stopped answering without closing anything. Resume lets
// everything through again.
type StallProxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	gate  chan struct{} // open while stalled; nil when flowing
	held  int           // connections whose replies are waiting
	conns map[net.Conn]bool
}

// NewStallProxy listens on a free local port and forwards to target; it
// stops when t ends.
func NewStallProxy(t testing.TB, target string) *StallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &StallProxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
	t.Cleanup(p.close)
	return p
}

// Addr is where clients connect.
func (p *StallProxy) Addr() string { return p.addr }

// Stall holds back the service's replies from now on.
func (p *StallProxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

// Resume delivers what was held back and stops holding.
func (p *StallProxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

// Held is how many connections have replies waiting now: clients stuck
// on the stalled service.
func (p *StallProxy) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

func (p *StallProxy) close() {
	p.Resume()
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
}

func (p *StallProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{})
	defer func() {
		_ = c.Close()
		_ = up.Close()
		p.mu.Lock()
		delete(p.conns, c)
		delete(p.conns, up)
		p.mu.Unlock()
	}()
	go func() {
		// The client went away: so does the service's side.
		defer func() { close(done); _ = up.Close() }()
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if _, werr := up.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := up.Read(buf)
		if n > 0 {
			if !p.pass(done) {
				return
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// pass waits while the proxy is stalled; it is false when the client
// went away meanwhile.
func (p *StallProxy) pass(done <-chan struct{}) bool {
	p.mu.Lock()
	gate := p.gate
	if gate == nil {
		p.mu.Unlock()
		return true
	}
	p.held++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.held--
		p.mu.Unlock()
	}()
	select {
	case <-gate:
		return true
	case <-done:
		return false
	}
}

// SilentServer is the address of a TCP server that accepts connections,
// reads what they send and never answers: a dependency that hangs. It
// stops, closing every connection, when t ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// StallDatabase puts a StallProxy in front of the test database and
// answers it with the database URL that goes through it.
func StallDatabase(t testing.TB) (*StallProxy, string) {
	t.Helper()
	u, err := url.Parse(DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := NewStallProxy(t, target)
	u.Host = p.Addr()
	return p, u.String()
}
