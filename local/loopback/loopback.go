// Package loopback listens for the local emulators on loopback addresses
// only and serves HTTP there. The emulators check no signatures and no
// credentials, so they must not be reachable from other machines: Listen
// refuses an address beyond loopback (an empty host would mean every
// interface), and checks again what a name such as localhost resolved to.
//
// Errors carry no package prefix; callers add their own ("sqs: …").
package loopback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrNotLoopback is the error, wrapped, of an address beyond loopback.
var ErrNotLoopback = errors.New("not a loopback address")

// ReadHeaderTimeout bounds how long a server made by Serve waits for a
// request's headers.
const ReadHeaderTimeout = 10 * time.Second

// Check accepts localhost and loopback IPs only, with a port; an empty
// host would mean every interface.
func Check(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: %w", addr, ErrNotLoopback)
}

// Addr is ln's TCP address, or an error if ln is not on a loopback IP.
func Addr(ln net.Listener) (*net.TCPAddr, error) {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return nil, fmt.Errorf("refusing to serve on %s: %w", ln.Addr(), ErrNotLoopback)
	}
	return tcp, nil
}

// Listen listens on addr, which must be a loopback address such as
// 127.0.0.1:0 or localhost:0, and checks the address it got.
func Listen(addr string) (net.Listener, error) {
	if err := Check(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	// A name such as localhost resolves when listening; check what it
	// resolved to.
	if _, err := Addr(ln); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// URL is the base URL of a server on ln: http://127.0.0.1:port.
func URL(ln net.Listener) string {
	return "http://" + ln.Addr().String()
}

// NewServer is an HTTP server for h with ReadHeaderTimeout.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout}
}

// Serve runs srv on ln in the background until srv is closed or shut
// down. An error other than http.ErrServerClosed goes to onError, when
// it is not nil.
func Serve(srv *http.Server, ln net.Listener, onError func(error)) {
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && onError != nil {
			onError(err)
		}
	}()
}
