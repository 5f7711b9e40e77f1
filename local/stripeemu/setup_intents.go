package stripeemu

import "net/http"

func (s *Server) createSetupIntent(f form) (int, []byte) {
	pm, confirm := f.get("payment_method"), boolParam(f, "confirm")
	usage := f.get("usage")
	switch usage {
	case "":
		usage = "off_session"
	case "off_session", "on_session":
	default:
		return invalid("usage", "Invalid usage: must be one of on_session or off_session")
	}
	if confirm && pm == "" {
		return missingParam("payment_method")
	}
	if pm != "" {
		if status, body, ok := checkPaymentMethod(pm); !ok {
			return status, body
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("seti")
	si := &setupIntent{ID: id, Object: "setup_intent", Status: statusRequiresPaymentMethod, ClientSecret: secret(id),
		Usage: usage, Customer: strPtr(f.get("customer")), Description: strPtr(f.get("description")),
		PaymentMethod: strPtr(pm), PaymentMethodTypes: []string{"card"}, Metadata: f.hash("metadata"), Created: s.now()}
	if pm != "" {
		si.Status = statusRequiresConfirmation
	}
	s.setupIntents[id] = si
	if !confirm {
		return ok200(si)
	}
	return s.confirmSetupLocked(si, pm, f.get("return_url"))
}

func (s *Server) confirmSetupIntent(id string, f form) (int, []byte) {
	pm := f.get("payment_method")
	if pm != "" {
		if status, body, ok := checkPaymentMethod(pm); !ok {
			return status, body
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.setupIntents[id]
	if !ok {
		return missing(id, "setup_intent")
	}
	if si.Status != statusRequiresPaymentMethod && si.Status != statusRequiresConfirmation {
		return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "setup_intent_unexpected_state",
			Message: "You cannot confirm this SetupIntent because it has a status of " + si.Status + "."})
	}
	if pm == "" {
		pm = deref(si.PaymentMethod)
	}
	if pm == "" {
		return missingParam("payment_method")
	}
	return s.confirmSetupLocked(si, pm, f.get("return_url"))
}

// confirmSetupLocked saves the card: a declined card fails (402, as
// Stripe checks the card with the issuer), one that needs 3-D Secure
// waits for it, any other is saved.
func (s *Server) confirmSetupLocked(si *setupIntent, pm, returnURL string) (int, []byte) {
	card := testCards[pm]
	si.PaymentMethod = &pm
	si.NextAction = nil
	switch {
	case card.declineCode != "":
		method, _ := s.paymentMethodOf(pm)
		e := apiError{Type: typeCard, Code: "card_declined", DeclineCode: card.declineCode, Message: declineMessage(card.declineCode), PaymentMethod: &method}
		si.Status = statusRequiresPaymentMethod
		last := e
		si.LastSetupError = &last
		s.emitLocked("setup_intent.setup_failed", si)
		e.SetupIntent = si
		return errorBody(http.StatusPaymentRequired, e)
	case card.threeDS:
		si.Status = statusRequiresAction
		si.NextAction = s.nextActionLocked("setup_intents", si.ID, returnURL)
		return ok200(si)
	}
	si.Status = statusSucceeded
	si.LastSetupError = nil
	s.emitLocked("setup_intent.succeeded", si)
	return ok200(si)
}

func (s *Server) getSetupIntent(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.setupIntents[id]
	if !ok {
		return missing(id, "setup_intent")
	}
	return ok200(si)
}

func (s *Server) authenticateSetupIntent(id string, succeed bool) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.setupIntents[id]
	if !ok {
		return missing(id, "setup_intent")
	}
	if si.Status != statusRequiresAction {
		return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "setup_intent_unexpected_state",
			Message: "This SetupIntent has a status of " + si.Status + "; only one in requires_action can be authenticated."})
	}
	si.NextAction = nil
	if succeed {
		si.Status = statusSucceeded
		s.emitLocked("setup_intent.succeeded", si)
		return ok200(si)
	}
	si.Status = statusRequiresPaymentMethod
	e := authFailure()
	e.Code = "setup_intent_authentication_failure"
	si.LastSetupError = e
	s.emitLocked("setup_intent.setup_failed", si)
	return ok200(si)
}
