package stripeemu

import "net/http"

func (s *Server) createSetupIntent(f form) (int, []byte) {
	pmID, confirm := f.get("payment_method"), boolParam(f, "confirm")
	usage := f.get("usage")
	switch usage {
	case "":
		usage = "off_session"
	case "off_session", "on_session":
	default:
		return invalid("usage", "Invalid usage: must be one of on_session or off_session")
	}
	if confirm && pmID == "" {
		return missingParam("payment_method")
	}
	cust := f.get("customer")
	s.mu.Lock()
	defer s.mu.Unlock()
	id, pm, status, body := s.newIntentLocked("seti", cust, pmID)
	if status != 0 {
		return status, body
	}
	si := &setupIntent{ID: id, Object: "setup_intent", Status: statusRequiresPaymentMethod, ClientSecret: secret(id),
		Usage: usage, Customer: strPtr(cust), Description: strPtr(f.get("description")),
		PaymentMethodTypes: []string{"card"}, Metadata: f.hash("metadata"), Created: s.now()}
	if pm != nil {
		si.PaymentMethod = &pm.ID
		si.Status = statusRequiresConfirmation
	}
	s.setupIntents[id] = si
	if !confirm {
		return ok200(si)
	}
	return s.confirmSetupLocked(si, pm, f.get("return_url"))
}

func (s *Server) confirmSetupIntent(id string, f form) (int, []byte) {
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
	pmID := f.get("payment_method")
	if pmID == "" {
		pmID = deref(si.PaymentMethod)
	}
	if pmID == "" {
		return missingParam("payment_method")
	}
	pm, status, body := s.usePaymentMethodLocked(pmID, deref(si.Customer), si.ID)
	if pm == nil {
		return status, body
	}
	return s.confirmSetupLocked(si, pm, f.get("return_url"))
}

// confirmSetupLocked saves the card: a declined card fails (402, as
// Stripe checks the card with the issuer) unless it is one that saves
// and fails its charges later, one that asks for 3-D Secure waits for it,
// any other is saved to the intent's customer.
func (s *Server) confirmSetupLocked(si *setupIntent, pm *paymentMethod, returnURL string) (int, []byte) {
	card := pm.card()
	si.PaymentMethod = &pm.ID
	si.NextAction = nil
	if pm.Customer == nil {
		pm.usedBy = si.ID
	}
	switch {
	case card.declineCode != "" && !card.saves:
		method := *pm
		e := apiError{Type: typeCard, Code: "card_declined", DeclineCode: card.declineCode, Message: declineMessage(card.declineCode), PaymentMethod: &method}
		e.DocURL = docURL(e)
		si.Status = statusRequiresPaymentMethod
		last := e
		si.LastSetupError = &last
		s.emitLocked("setup_intent.setup_failed", si)
		e.SetupIntent = si
		return errorBody(http.StatusPaymentRequired, e)
	case card.auth != authNever:
		si.Status = statusRequiresAction
		si.LastSetupError = nil
		si.NextAction = s.nextActionLocked("setup_intents", si.ID, returnURL)
		return ok200(si)
	}
	s.setUpLocked(si, pm)
	return ok200(si)
}

// setUpLocked ends a setup that succeeded: the card is the customer's,
// chargeable off session.
func (s *Server) setUpLocked(si *setupIntent, pm *paymentMethod) {
	s.attachLocked(pm, si.Customer)
	si.Status = statusSucceeded
	si.LastSetupError = nil
	si.NextAction = nil
	s.emitLocked("setup_intent.succeeded", si)
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
		s.setUpLocked(si, s.paymentMethods[deref(si.PaymentMethod)])
		return ok200(si)
	}
	si.Status = statusRequiresPaymentMethod
	e := authFailure()
	e.Code = "setup_intent_authentication_failure"
	si.LastSetupError = e
	s.emitLocked("setup_intent.setup_failed", si)
	return ok200(si)
}
