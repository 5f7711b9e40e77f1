package stripeemu

import (
	"net/http"
	"net/url"
)

func (s *Server) createPaymentIntent(f form) (int, []byte) {
	amount, ok := amountParam(f, "amount")
	if !ok {
		if !f.has("amount") {
			return missingParam("amount")
		}
		return invalid("amount", "Invalid integer: "+f.get("amount"))
	}
	currency, ok := currencyParam(f)
	if !ok {
		if !f.has("currency") {
			return missingParam("currency")
		}
		return invalid("currency", "Invalid currency: "+f.get("currency"))
	}
	if m := f.get("capture_method"); m != "" && m != "automatic" && m != "automatic_async" {
		return invalid("capture_method", "The emulator captures automatically only; capture_method="+m+" is not supported.")
	}
	pmID, confirm, offSession := f.get("payment_method"), boolParam(f, "confirm"), f.has("off_session") && f.get("off_session") != "false"
	if offSession && !confirm {
		return invalid("off_session", "You can only pass in `off_session` when `confirm` is set to true.")
	}
	if confirm && pmID == "" {
		return missingParam("payment_method")
	}
	cust := f.get("customer")
	s.mu.Lock()
	defer s.mu.Unlock()
	id, pm, status, body := s.newIntentLocked("pi", cust, pmID)
	if status != 0 {
		return status, body
	}
	pi := &paymentIntent{ID: id, Object: "payment_intent", Amount: amount, Currency: currency,
		Status: statusRequiresPaymentMethod, ClientSecret: secret(id), CaptureMethod: "automatic",
		ConfirmationMethod: "automatic", Customer: strPtr(cust), Description: strPtr(f.get("description")),
		PaymentMethodTypes: []string{"card"}, SetupFutureUsage: strPtr(f.get("setup_future_usage")),
		Metadata: f.hash("metadata"), Created: s.now()}
	if pm != nil {
		pi.PaymentMethod = &pm.ID
		pi.Status = statusRequiresConfirmation
	}
	s.paymentIntents[id] = pi
	if !confirm {
		return ok200(pi)
	}
	return s.confirmLocked(pi, pm, offSession, f.get("return_url"))
}

func (s *Server) getPaymentIntent(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.paymentIntents[id]
	if !ok {
		return missing(id, "payment_intent")
	}
	return ok200(pi)
}

func (s *Server) confirmPaymentIntent(id string, f form) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.paymentIntents[id]
	if !ok {
		return missing(id, "payment_intent")
	}
	if pi.Status != statusRequiresPaymentMethod && pi.Status != statusRequiresConfirmation {
		return unexpectedState("You cannot confirm this PaymentIntent because it has a status of " + pi.Status + ".")
	}
	pmID := f.get("payment_method")
	if pmID == "" {
		pmID = deref(pi.PaymentMethod)
	}
	if pmID == "" {
		return unexpectedState("You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with " + id + ", specify a payment method attached to this customer along with the customer ID.")
	}
	pm, status, body := s.usePaymentMethodLocked(pmID, deref(pi.Customer), pi.ID)
	if pm == nil {
		return status, body
	}
	offSession := f.has("off_session") && f.get("off_session") != "false"
	return s.confirmLocked(pi, pm, offSession, f.get("return_url"))
}

func unexpectedState(msg string) (int, []byte) {
	return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "payment_intent_unexpected_state", Message: msg})
}

// confirmLocked charges the card as its test id says: it succeeds, is
// declined (402, the intent back to requires_payment_method), or waits
// for 3-D Secure; off session, a card that needs authentication fails
// with authentication_required, since no guest is there to give it.
func (s *Server) confirmLocked(pi *paymentIntent, pm *paymentMethod, offSession bool, returnURL string) (int, []byte) {
	card := pm.card()
	pi.PaymentMethod = &pm.ID
	pi.NextAction = nil
	if pm.Customer == nil {
		pm.usedBy = pi.ID
	}
	needsAuth := card.auth == authAlways ||
		(card.auth == authUnlessSetUp && (!offSession || !pm.setUp)) ||
		(card.auth == authOnSessionOnly && !offSession)
	var e *apiError
	switch {
	case card.declineCode != "":
		e = s.declineLocked(pi, pm, "card_declined", card.declineCode)
	case needsAuth && offSession:
		e = s.declineLocked(pi, pm, "authentication_required", "authentication_required")
	case needsAuth:
		pi.Status = statusRequiresAction
		pi.LastPaymentError = nil
		pi.NextAction = s.nextActionLocked("payment_intents", pi.ID, returnURL)
		return ok200(pi)
	case card.declineAfterAuth != "":
		e = s.declineLocked(pi, pm, "card_declined", card.declineAfterAuth)
	default:
		s.succeedLocked(pi, pm)
		return ok200(pi)
	}
	e.PaymentIntent = pi
	return errorBody(http.StatusPaymentRequired, *e)
}

// succeedLocked takes the whole amount in one succeeded charge; with
// setup_future_usage the card is saved to the intent's customer too.
func (s *Server) succeedLocked(pi *paymentIntent, pm *paymentMethod) {
	ch := &charge{ID: s.newID("ch"), Object: "charge", Amount: pi.Amount, AmountCaptured: pi.Amount, Captured: true,
		Currency: pi.Currency, Paid: true, Status: "succeeded", PaymentIntent: pi.ID, PaymentMethod: pm.ID,
		Customer: pi.Customer, Metadata: pi.Metadata, Created: s.now()}
	s.charges[ch.ID] = ch
	if pi.SetupFutureUsage != nil && pi.Customer != nil {
		s.attachLocked(pm, pi.Customer)
	}
	pi.Status = statusSucceeded
	pi.AmountReceived = pi.Amount
	pi.LatestCharge = &ch.ID
	pi.LastPaymentError = nil
	pi.NextAction = nil
	s.emitLocked("payment_intent.succeeded", pi)
}

// declineLocked records a failed charge, leaves the intent wanting
// another card and answers the card error (Stripe's 402 carries it with
// the intent as it now is).
func (s *Server) declineLocked(pi *paymentIntent, pm *paymentMethod, code, declineCode string) *apiError {
	msg := declineMessage(declineCode)
	ch := &charge{ID: s.newID("ch"), Object: "charge", Amount: pi.Amount, Currency: pi.Currency, Status: "failed",
		FailureCode: &code, FailureMessage: &msg, PaymentIntent: pi.ID, PaymentMethod: pm.ID, Customer: pi.Customer,
		Metadata: pi.Metadata, Created: s.now()}
	s.charges[ch.ID] = ch
	method := *pm
	lastErr := apiError{Type: typeCard, Code: code, DeclineCode: declineCode, Message: msg, Charge: ch.ID, PaymentMethod: &method}
	lastErr.DocURL = docURL(lastErr)
	pi.Status = statusRequiresPaymentMethod
	pi.LatestCharge = &ch.ID
	pi.LastPaymentError = &lastErr
	pi.NextAction = nil
	s.emitLocked("payment_intent.payment_failed", pi)
	e := lastErr
	return &e
}

// nextActionLocked points the guest at the emulator's 3-D Secure page:
// by redirect when the caller gave a return_url, else for Stripe.js.
func (s *Server) nextActionLocked(kind, id, returnURL string) *nextAction {
	page := s.base + "/_emulator/" + kind + "/" + id + "/authenticate"
	if returnURL != "" {
		page += "?return_url=" + url.QueryEscape(returnURL)
		return &nextAction{Type: "redirect_to_url", RedirectToURL: &redirectToURL{URL: page, ReturnURL: returnURL}}
	}
	return &nextAction{Type: "use_stripe_sdk", UseStripeSDK: map[string]any{"type": "three_d_secure_redirect", "stripe_js": page, "source": id}}
}

// cancellable are the statuses Stripe lets an intent be cancelled from.
var cancellable = map[string]bool{statusRequiresPaymentMethod: true, statusRequiresConfirmation: true, statusRequiresAction: true, "requires_capture": true, "processing": true}

func (s *Server) cancelPaymentIntent(id string, f form) (int, []byte) {
	reason := f.get("cancellation_reason")
	switch reason {
	case "", "duplicate", "fraudulent", "requested_by_customer", "abandoned":
	default:
		return invalid("cancellation_reason", "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.paymentIntents[id]
	if !ok {
		return missing(id, "payment_intent")
	}
	if !cancellable[pi.Status] {
		return unexpectedState("You cannot cancel this PaymentIntent because it has a status of " + pi.Status + ". Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.")
	}
	at := s.now()
	pi.Status = statusCanceled
	pi.CanceledAt = &at
	pi.CancellationReason = strPtr(reason)
	pi.NextAction = nil
	s.emitLocked("payment_intent.canceled", pi)
	return ok200(pi)
}

// authenticatePaymentIntent completes 3-D Secure as the guest's browser
// would: it succeeds and charges, or fails and the intent wants another
// card.
func (s *Server) authenticatePaymentIntent(id string, succeed bool) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.paymentIntents[id]
	if !ok {
		return missing(id, "payment_intent")
	}
	if pi.Status != statusRequiresAction {
		return unexpectedState("This PaymentIntent has a status of " + pi.Status + "; only one in requires_action can be authenticated.")
	}
	pm := s.paymentMethods[deref(pi.PaymentMethod)]
	switch {
	case succeed && pm.card().declineAfterAuth != "":
		s.declineLocked(pi, pm, "card_declined", pm.card().declineAfterAuth)
		return ok200(pi)
	case succeed:
		s.succeedLocked(pi, pm)
		return ok200(pi)
	}
	pi.Status = statusRequiresPaymentMethod
	pi.NextAction = nil
	pi.LastPaymentError = authFailure()
	s.emitLocked("payment_intent.payment_failed", pi)
	return ok200(pi)
}

func authFailure() *apiError {
	return &apiError{Type: typeInvalidRequest, Code: "payment_intent_authentication_failure",
		Message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
		DocURL:  "https://stripe.com/docs/error-codes/payment-intent-authentication-failure"}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// newIntentLocked is the id of a new intent (prefix pi or seti) of the
// customer cust (none when empty), and the PaymentMethod pmID it uses
// (nil when none is given), taken for it; status is the error's, 0 when
// the customer and the method are good.
func (s *Server) newIntentLocked(prefix, cust, pmID string) (string, *paymentMethod, int, []byte) {
	if status, body, ok := s.checkCustomerLocked(cust); !ok {
		return "", nil, status, body
	}
	id := s.newID(prefix)
	if pmID == "" {
		return id, nil, 0, nil
	}
	pm, status, body := s.usePaymentMethodLocked(pmID, cust, id)
	if pm == nil {
		return "", nil, status, body
	}
	return id, pm, 0, nil
}
