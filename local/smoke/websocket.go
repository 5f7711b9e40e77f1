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
