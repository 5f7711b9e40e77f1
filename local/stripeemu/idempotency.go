package stripeemu

import (
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
// runs nothing. Keys never expire here (Stripe keeps them 24 hours).
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
	return e.status, e.body, false
}
