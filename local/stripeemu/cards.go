package stripeemu

import (
	"net/http"
)

// auth is when a test card asks for 3-D Secure.
type auth int

const (
	authNever         auth = iota
	authAlways             // every payment, set up or not, on or off session
	authUnlessSetUp        // on session always; off session until a SetupIntent (or setup_future_usage) set it up
	authOnSessionOnly      // on session always; off session never, as if set up already
)

// testCard is what one of Stripe's test PaymentMethods does.
type testCard struct {
	brand, last4, funding string
	country               string
	declineCode           string // every charge is card_declined with this decline_code; "" pays
	saves                 bool   // a declining card that is still saved (set up) fine
	auth                  auth
	declineAfterAuth      string // authenticated, the charge is still declined with this code
}

// testCards are Stripe's test PaymentMethod ids that the emulator knows
// (docs.stripe.com/testing); any other id is resource_missing, as in
// Stripe. As in Stripe, each use of one makes a new PaymentMethod
// (pm_emu…) with the card's behaviour.
var testCards = map[string]testCard{
	"pm_card_visa":                                     {brand: "visa", last4: "4242", funding: "credit", country: "US"},
	"pm_card_mastercard":                               {brand: "mastercard", last4: "4444", funding: "credit", country: "US"},
	"pm_card_chargeDeclined":                           {brand: "visa", last4: "0002", funding: "credit", country: "US", declineCode: "generic_decline"},
	"pm_card_chargeDeclinedInsufficientFunds":          {brand: "visa", last4: "9995", funding: "credit", country: "US", declineCode: "insufficient_funds"},
	"pm_card_insufficientFunds":                        {brand: "visa", last4: "9995", funding: "credit", country: "US", declineCode: "insufficient_funds"},
	"pm_card_chargeCustomerFail":                       {brand: "visa", last4: "0341", funding: "credit", country: "US", declineCode: "generic_decline", saves: true},
	"pm_card_authenticationRequired":                   {brand: "visa", last4: "3184", funding: "credit", country: "US", auth: authAlways},
	"pm_card_authenticationRequiredOnSetup":            {brand: "visa", last4: "3155", funding: "credit", country: "US", auth: authUnlessSetUp},
	"pm_card_authenticationRequiredSetupForOffSession": {brand: "visa", last4: "0446", funding: "credit", country: "US", auth: authOnSessionOnly},
	"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": {brand: "visa", last4: "3178", funding: "credit", country: "US",
		auth: authUnlessSetUp, declineAfterAuth: "insufficient_funds"},
}

// paymentMethod is Stripe's PaymentMethod of type card. The unexported
// fields are the emulator's: the test card it was made from, whether a
// setup made it chargeable off session, and the intent that used it while
// it belonged to no customer (it may not be used by another).
type paymentMethod struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Type     string            `json:"type"`
	Card     pmCard            `json:"card"`
	Customer *string           `json:"customer"`
	Created  int64             `json:"created"`
	Livemode bool              `json:"livemode"`
	Metadata map[string]string `json:"metadata"`

	testID string
	setUp  bool
	usedBy string
}

type pmCard struct {
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	Funding  string `json:"funding"`
	Country  string `json:"country"`
}

func (pm *paymentMethod) card() testCard { return testCards[pm.testID] }

// fixtureLocked is the PaymentMethod a test id stands for, unsaved: what a
// GET of pm_card_visa answers.
func (s *Server) fixtureLocked(id string) (*paymentMethod, bool) {
	c, ok := testCards[id]
	if !ok {
		return nil, false
	}
	return &paymentMethod{ID: id, Object: "payment_method", Type: "card", Metadata: map[string]string{},
		Card:    pmCard{Brand: c.brand, Last4: c.last4, ExpMonth: 12, ExpYear: s.o.Clock.Now().Year() + 3, Funding: c.funding, Country: c.country},
		Created: s.now(), testID: id}, true
}

func (s *Server) getPaymentMethod(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pm, ok := s.paymentMethods[id]; ok {
		return ok200(pm)
	}
	pm, ok := s.fixtureLocked(id)
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

// usePaymentMethodLocked is the PaymentMethod an intent of customer (""
// for none) pays with: a test id makes a new one, an id the emulator made
// is checked as Stripe checks it. The error is Stripe's when it may not.
func (s *Server) usePaymentMethodLocked(id, customer, intent string) (*paymentMethod, int, []byte) {
	if pm, ok := s.paymentMethods[id]; ok {
		switch {
		case pm.Customer != nil && *pm.Customer != customer:
			status, body := errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Param: "payment_method",
				Message: "The provided PaymentMethod belongs to a Customer (" + *pm.Customer + "). Please include the Customer in the `customer` parameter on the intent."})
			return nil, status, body
		case pm.Customer == nil && pm.usedBy != "" && pm.usedBy != intent:
			status, body := errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Param: "payment_method",
				Message: "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first."})
			return nil, status, body
		}
		return pm, 0, nil
	}
	pm, ok := s.fixtureLocked(id)
	if !ok {
		msg := "No such PaymentMethod: '" + id + "'"
		status, body := errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "resource_missing", Param: "payment_method", Message: msg})
		return nil, status, body
	}
	pm.ID = s.newID("pm")
	s.paymentMethods[pm.ID] = pm
	return pm, 0, nil
}
