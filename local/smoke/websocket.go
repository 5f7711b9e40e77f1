package smoke

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/coder/websocket"
)

// wsPing connects to the WebSocket API as the guest of this run's
// booking (?reference=…&token=…, as functions/ws authenticates at
// $connect), or as anyone when no booking was made, sends a ping and
// waits for the pong.
func (r *run) wsPing(ctx context.Context) outcome {
	if r.cfg.WSURL == "" {
		return skip("no WSURL")
	}
	u, err := url.Parse(r.cfg.WSURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
		return fail("WSURL %q is not a ws(s) URL", r.cfg.WSURL)
	}
	as := "anonymous (no reservation)"
	if r.ref != "" {
		q := u.Query()
		q.Set("reference", r.ref)
		q.Set("token", r.token)
		u.RawQuery = q.Encode()
		as = "guest of " + r.ref
	}
	return r.ping(ctx, u, as)
}

// wsStaff buys a WebSocket ticket with the staff key (POST
// /v1/ws-tickets; the key never goes in a URL), connects with it, pings,
// and checks the ticket opens no second connection.
func (r *run) wsStaff(ctx context.Context) outcome {
	if r.cfg.WSURL == "" || r.cfg.StaffKey == "" {
		return skip("needs WSURL and a staff key")
	}
	u, err := url.Parse(r.cfg.WSURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
		return fail("WSURL %q is not a ws(s) URL", r.cfg.WSURL)
	}
	a, err := r.api(ctx, http.MethodPost, "/v1/ws-tickets", nil, "Authorization", "Bearer "+r.cfg.StaffKey)
	if err != nil {
		return fail("POST /v1/ws-tickets: %v", err)
	}
	var t struct {
		Ticket string `json:"ticket"`
	}
	if err := a.decode(http.StatusCreated, &t); err != nil || t.Ticket == "" {
		return fail("POST /v1/ws-tickets: %v", err)
	}
	q := u.Query()
	q.Set("ticket", t.Ticket)
	u.RawQuery = q.Encode()
	if o := r.ping(ctx, u, "staff"); o.verdict != passed {
		return o
	}
	dial, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	conn, resp, err := websocket.Dial(dial, u.String(), &websocket.DialOptions{
		HTTPHeader: http.Header{"User-Agent": {"innkeeper-smoke"}},
	})
	if err == nil {
		conn.CloseNow()
		return fail("a used ticket opened a second connection")
	}
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		return fail("a used ticket: %v, want 401", err)
	}
	return pass("pong as staff with a ticket; the ticket used again is 401")
}

// ping connects to u as who as says, sends a ping and waits for the pong.
func (r *run) ping(ctx context.Context, u *url.URL, as string) outcome {
	dial, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	conn, resp, err := websocket.Dial(dial, u.String(), &websocket.DialOptions{
		HTTPHeader: http.Header{"User-Agent": {"innkeeper-smoke"}},
	})
	if err != nil {
		if resp != nil {
			return fail("connect as %s: %d %s", as, resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		return fail("connect as %s: %v", as, err)
	}
	defer conn.CloseNow()
	wait, cancel := context.WithTimeout(ctx, pongWait)
	defer cancel()
	if err := conn.Write(wait, websocket.MessageText, []byte(`{"action":"ping"}`)); err != nil {
		return fail("send ping as %s: %v", as, err)
	}
	for {
		_, data, err := conn.Read(wait)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || wait.Err() != nil {
				return fail("no pong within %v as %s", pongWait, as)
			}
			return fail("waiting for the pong as %s: %v", as, err)
		}
		var frame struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &frame) == nil && frame.Type == "pong" {
			_ = conn.Close(websocket.StatusNormalClosure, "smoke test done")
			return pass("pong as %s", as)
		}
		if frame.Type == "error" {
			return fail("error frame as %s: %s", as, clip(data))
		}
	}
}
