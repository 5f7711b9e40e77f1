package wsgateway

import (
	"errors"
	"fmt"
	"log/slog"

	"innkeeper/local/loopback"
)

// Start listens on addr, which must be a loopback address such as
// 127.0.0.1:0, serves the gateway in the background until Close, and
// returns its URL (http://127.0.0.1:port). Clients connect to
// ws://127.0.0.1:port/<stage>; backends give ManagementEndpoint(url) to
// the management client.
func (g *Gateway) Start(addr string) (string, error) {
	ln, err := loopback.Listen(addr)
	if err != nil {
		return "", fmt.Errorf("wsgateway: %w", err)
	}
	srv := loopback.NewServer(g)
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
	loopback.Serve(srv, ln, func(err error) {
		g.o.Logger.Error("wsgateway: serve", slog.String("error", err.Error()))
	})
	return loopback.URL(ln), nil
}
