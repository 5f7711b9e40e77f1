package stripeemu

import (
	"net/http"
	"strings"
)

// testCard is what one of Stripe's test PaymentMethods does.
type testCard struct {
	brand, last4, funding string
	country               string
	declineCode           string // card_declined with this decline_code; "" pays
	threeDS               bool   // every payment needs authentication
}

// testCards are Stripe's test PaymentMethod ids that the emulator knows;
// any other id is resource_missing, as in Stripe.
var testCards = map[string]testCard{
	"pm_card_visa":                            {brand: "visa", last4: "4242", funding: "credit", country: "US"},
	"pm_card_mastercard":                      {brand: "mastercard", last4: "4444", funding: "credit", country: "US"},
	"pm_card_chargeDeclined":                  {brand: "visa", last4: "0002", funding: "credit", country: "US", declineCode: "generic_decline"},
	"pm_card_chargeDeclinedInsufficientFunds": {brand: "visa", last4: "9995", funding: "credit", country: "US", declineCode: "insufficient_funds"},
	"pm_card_insufficientFunds":               {brand: "visa", last4: "9995", funding: "credit", country: "US", declineCode: "insufficient_funds"},
	"pm_card_authenticationRequired":          {brand: "visa", last4: "3184", funding: "credit", country: "US", threeDS: true},
}

// paymentMethod is Stripe's PaymentMethod of type card.
type paymentMethod struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Type     string            `json:"type"`
	Card     pmCard            `json:"card"`
	Customer *string           `json:"customer"`
	Created  int64             `json:"created"`
	Livemode bool              `json:"livemode"`
	Metadata map[string]string `json:"metadata"`
}

type pmCard struct {
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	Funding  string `json:"funding"`
	Country  string `json:"country"`
}

func (s *Server) paymentMethodOf(id string) (paymentMethod, bool) {
	c, ok := testCards[id]
	if !ok {
		return paymentMethod{}, false
	}
	return paymentMethod{ID: id, Object: "payment_method", Type: "card", Metadata: map[string]string{},
		Card:    pmCard{Brand: c.brand, Last4: c.last4, ExpMonth: 12, ExpYear: s.o.Clock.Now().Year() + 3, Funding: c.funding, Country: c.country},
		Created: s.now()}, true
}

func (s *Server) getPaymentMethod(id string) (int, []byte) {
	pm, ok := s.paymentMethodOf(id)
	if !ok {
		return missing(id, "payment_method")
	}
	return ok200(pm)
}

// declineMessage is the message Stripe gives for a decline code.
func declineMessage(code string) string {
	switch code {
	case "insufficient_funds":
		return "Your card has insufficient funds."
	case "authentication_required":
		return "Your card was declined. This transaction requires authentication."
	}
	return "Your card was declined."
}

// checkPaymentMethod answers the error for an unknown payment method id,
// or ok.
func checkPaymentMethod(id string) (int, []byte, bool) {
	if _, ok := testCards[id]; ok {
		return 0, nil, true
	}
	msg := "No such PaymentMethod: '" + id + "'"
	if !strings.HasPrefix(id, "pm_") {
		msg += "; It's possible this PaymentMethod exists on one of your connected accounts, in which case you should retry this request on that connected account."
	}
	status, body := errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "resource_missing", Param: "payment_method", Message: msg})
	return status, body, false
}
