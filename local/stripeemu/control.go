package stripeemu

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// control answers /_emulator/…: what the guest's browser and Stripe's
// dashboard would do. It needs no key: the server listens on loopback
// only.
func (s *Server) control(w http.ResponseWriter, r *http.Request, parts []string) {
	n := len(parts)
	switch {
	case n == 1 && parts[0] == "events" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"data": s.Deliveries()})
	case n == 2 && parts[0] == "events" && r.Method == http.MethodGet:
		s.mu.Lock()
		ev, ok := s.events[parts[1]]
		var d Delivery
		if ok {
			d = s.deliveryLocked(ev)
		}
		s.mu.Unlock()
		if !ok {
			status, body := missing(parts[1], "event")
			writeRaw(w, status, body, false)
			return
		}
		writeJSON(w, http.StatusOK, d)
	case n == 3 && parts[0] == "events" && parts[2] == "resend" && r.Method == http.MethodPost:
		status, err := s.Resend(parts[1])
		if err != nil {
			writeError(w, http.StatusBadRequest, apiError{Type: typeInvalidRequest, Message: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"event_id": parts[1], "status": status})
	case n == 2 && parts[0] == "webhooks" && parts[1] == "pause" && r.Method == http.MethodPost:
		s.PauseWebhooks()
		writeJSON(w, http.StatusOK, map[string]bool{"paused": true})
	case n == 2 && parts[0] == "webhooks" && parts[1] == "resume" && r.Method == http.MethodPost:
		s.ResumeWebhooks()
		writeJSON(w, http.StatusOK, map[string]bool{"paused": false})
	case n == 3 && parts[2] == "authenticate" && (parts[0] == "payment_intents" || parts[0] == "setup_intents"):
		s.authenticate(w, r, parts[0], parts[1])
	default:
		writeError(w, http.StatusNotFound, apiError{Type: typeInvalidRequest, Message: "Unrecognized emulator URL (" + r.Method + ": " + r.URL.Path + ")."})
	}
}

// authenticate is the 3-D Secure step. GET shows the page next_action
// sends the guest to; POST ?result=succeed|fail decides, then sends a
// browser back to the return_url as Stripe does, or answers the intent
// as JSON to a test.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, kind, id string) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, apiError{Type: typeInvalidRequest, Message: err.Error()})
		return
	}
	returnURL := r.Form.Get("return_url")
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		q := url.Values{"return_url": {returnURL}}
		fmt.Fprintf(w, `<!doctype html><title>3-D Secure (Stripe emulator)</title><h1>3-D Secure test payment</h1><p>%s</p>`+
			`<form method="post" action="?result=succeed&amp;%[2]s"><button>Complete authentication</button></form>`+
			`<form method="post" action="?result=fail&amp;%[2]s"><button>Fail authentication</button></form>`,
			html.EscapeString(id), html.EscapeString(q.Encode()))
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, apiError{Type: typeInvalidRequest, Message: "GET or POST"})
		return
	}
	var succeed bool
	switch r.Form.Get("result") {
	case "succeed", "":
		succeed = true
	case "fail":
	default:
		writeError(w, http.StatusBadRequest, apiError{Type: typeInvalidRequest, Param: "result", Message: "result must be succeed or fail"})
		return
	}
	var status int
	var body []byte
	if kind == "payment_intents" {
		status, body = s.authenticatePaymentIntent(id, succeed)
	} else {
		status, body = s.authenticateSetupIntent(id, succeed)
	}
	if returnURL != "" && status == http.StatusOK {
		back, err := url.Parse(returnURL)
		if err == nil {
			q := back.Query()
			param := "payment_intent"
			if kind == "setup_intents" {
				param = "setup_intent"
			}
			q.Set(param, id)
			q.Set("redirect_status", map[bool]string{true: "succeeded", false: "failed"}[succeed])
			back.RawQuery = q.Encode()
			http.Redirect(w, r, back.String(), http.StatusSeeOther)
			return
		}
	}
	writeRaw(w, status, body, false)
}

// Authenticate completes (succeed) or fails 3-D Secure of a payment
// intent (pi_…) or a setup intent (seti_…) waiting in requires_action, as
// POST /_emulator/…/authenticate does, for tests in Go.
func (s *Server) Authenticate(id string, succeed bool) error {
	var status int
	var body []byte
	if strings.HasPrefix(id, "seti_") {
		status, body = s.authenticateSetupIntent(id, succeed)
	} else {
		status, body = s.authenticatePaymentIntent(id, succeed)
	}
	if status != http.StatusOK {
		return fmt.Errorf("stripeemu: authenticate %s: %d %s", id, status, body)
	}
	return nil
}
