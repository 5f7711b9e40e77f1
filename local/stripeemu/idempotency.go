package stripeemu

import (
	"encoding/json"
	"net/http"
)

// idemEntry is the first answer under one idempotency key. done is closed
// once the answer is stored, so a request racing on the same key waits
// for it instead of running again: twenty concurrent retries of one
// booking make one PaymentIntent, not twenty.
type idemEntry struct {
	done    chan struct{}
	request string // method, path and sorted parameters
	status  int
	body    []byte
}

// idempotent runs fn once per key and replays its answer, as Stripe
// does; the same key with other parameters is an idempotency_error and
// runs nothing. As Stripe, it keeps no answer of a request that failed
// validation (a parameter missing or invalid, an id that names nothing):
// the key may be used again. Keys never expire here (Stripe keeps them
// 24 hours). A request racing on a key waits for the first where Stripe
// answers 409 idempotency_key_in_use, which stripe-go would retry.
func (s *Server) idempotent(key, shown, request string, fn func() (int, []byte)) (status int, body []byte, replayed bool) {
	s.mu.Lock()
	e, found := s.idem[key]
	if !found {
		e = &idemEntry{done: make(chan struct{}), request: request}
		s.idem[key] = e
	}
	s.mu.Unlock()
	if found {
		<-e.done
		if e.request != request {
			status, body = errorBody(http.StatusBadRequest, apiError{Type: typeIdempotency,
				Message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" + shown + "' if you meant to execute a different request."})
			return status, body, false
		}
		return e.status, e.body, true
	}
	defer close(e.done)
	e.status, e.body = fn()
	if invalidParams(e.status, e.body) {
		s.mu.Lock()
		delete(s.idem, key)
		s.mu.Unlock()
	}
	return e.status, e.body, false
}

// invalidParams reports whether an answer is a validation failure, which
// Stripe answers before the endpoint runs and so does not keep.
func invalidParams(status int, body []byte) bool {
	if status != http.StatusBadRequest && status != http.StatusNotFound {
		return false
	}
	var b struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal(body, &b) != nil || b.Error.Type != typeInvalidRequest {
		return false
	}
	switch b.Error.Code {
	case "parameter_missing", "parameter_invalid", "resource_missing":
		return true
	}
	return false
}
