package stripeemu

import "net/http"

// createRefund gives back part or all of a succeeded charge, never more
// than it captured minus what was refunded before; as Stripe, it sends
// refund.created with the refund and charge.refunded with the charge.
func (s *Server) createRefund(f form) (int, []byte) {
	piID, chID := f.get("payment_intent"), f.get("charge")
	if piID == "" && chID == "" {
		return missingParam("payment_intent")
	}
	var amount int64
	if f.has("amount") {
		a, ok := amountParam(f, "amount")
		if !ok {
			return invalid("amount", "Invalid positive integer: "+f.get("amount"))
		}
		amount = a
	}
	reason := f.get("reason")
	switch reason {
	case "", "duplicate", "fraudulent", "requested_by_customer":
	default:
		return invalid("reason", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if piID != "" {
		pi, ok := s.paymentIntents[piID]
		if !ok {
			return missing(piID, "payment_intent")
		}
		if pi.Status != statusSucceeded || pi.LatestCharge == nil {
			return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "charge_not_refundable",
				Message: "This PaymentIntent (" + piID + ") does not have a successful charge to refund."})
		}
		chID = *pi.LatestCharge
	}
	ch, ok := s.charges[chID]
	if !ok {
		return missing(chID, "charge")
	}
	if ch.Status != "succeeded" {
		return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "charge_not_refundable", Message: "Charge " + chID + " has not succeeded and cannot be refunded."})
	}
	left := ch.AmountCaptured - ch.AmountRefunded
	if left == 0 {
		return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "charge_already_refunded", Message: "Charge " + chID + " has already been refunded."})
	}
	if amount == 0 {
		amount = left
	}
	if amount > left {
		return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "amount_too_large", Param: "amount",
			Message: "Refund amount (" + formatAmount(amount, ch.Currency) + ") is greater than unrefunded amount on charge (" + formatAmount(left, ch.Currency) + ")"})
	}
	re := &refund{ID: s.newID("re"), Object: "refund", Amount: amount, Currency: ch.Currency, Charge: ch.ID,
		PaymentIntent: ch.PaymentIntent, Reason: strPtr(reason), Status: "succeeded", Metadata: f.hash("metadata"), Created: s.now()}
	s.refunds[re.ID] = re
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == ch.AmountCaptured
	s.emitLocked("refund.created", re)
	s.emitLocked("charge.refunded", ch)
	return ok200(re)
}

func (s *Server) getRefund(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	re, ok := s.refunds[id]
	if !ok {
		return missing(id, "refund")
	}
	return ok200(re)
}

func (s *Server) getCharge(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.charges[id]
	if !ok {
		return missing(id, "charge")
	}
	return ok200(ch)
}
