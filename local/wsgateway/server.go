package wsgateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Start listens on addr, which must be a loopback address such as
// 127.0.0.1:0, serves the gateway in the background until Close, and
// returns its URL (http://127.0.0.1:port). Clients connect to
// ws://127.0.0.1:port/<stage>; backends give ManagementEndpoint(url) to
// the management client.
func (g *Gateway) Start(addr string) (string, error) {
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("wsgateway: listen on %s: %w", addr, err)
	}
	// A name such as localhost resolves when listening; check what it
	// resolved to.
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return "", fmt.Errorf("wsgateway: refusing to serve on %s: not a loopback address", ln.Addr())
	}
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	g.mu.Lock()
	switch {
	case g.closed:
		g.mu.Unlock()
		ln.Close()
		return "", errors.New("wsgateway: closed")
	case g.srv != nil:
		g.mu.Unlock()
		ln.Close()
		return "", errors.New("wsgateway: already serving")
	}
	g.srv = srv
	g.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.o.Logger.Error("wsgateway: serve", slog.String("error", err.Error()))
		}
	}()
	return "http://" + tcp.String(), nil
}

// checkLoopback accepts localhost and loopback IPs only; an empty host
// would mean every interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("wsgateway: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("wsgateway: refusing to listen on %q: not a loopback address", addr)
}
