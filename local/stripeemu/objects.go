package stripeemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"innkeeper/shared/payments"
)

// paymentIntent is Stripe's PaymentIntent, with the fields stripe-go and
// the API read.
type paymentIntent struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	Amount             int64             `json:"amount"`
	AmountCapturable   int64             `json:"amount_capturable"`
	AmountReceived     int64             `json:"amount_received"`
	Currency           string            `json:"currency"`
	Status             string            `json:"status"`
	ClientSecret       string            `json:"client_secret"`
	CaptureMethod      string            `json:"capture_method"`
	ConfirmationMethod string            `json:"confirmation_method"`
	Customer           *string           `json:"customer"`
	Description        *string           `json:"description"`
	LastPaymentError   *apiError         `json:"last_payment_error"`
	LatestCharge       *string           `json:"latest_charge"`
	NextAction         *nextAction       `json:"next_action"`
	PaymentMethod      *string           `json:"payment_method"`
	PaymentMethodTypes []string          `json:"payment_method_types"`
	SetupFutureUsage   *string           `json:"setup_future_usage"`
	CanceledAt         *int64            `json:"canceled_at"`
	CancellationReason *string           `json:"cancellation_reason"`
	Metadata           map[string]string `json:"metadata"`
	Created            int64             `json:"created"`
	Livemode           bool              `json:"livemode"`
}

// setupIntent is Stripe's SetupIntent: a card saved for off-session
// charges later, nothing charged.
type setupIntent struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	Status             string            `json:"status"`
	ClientSecret       string            `json:"client_secret"`
	Usage              string            `json:"usage"`
	Customer           *string           `json:"customer"`
	Description        *string           `json:"description"`
	LastSetupError     *apiError         `json:"last_setup_error"`
	NextAction         *nextAction       `json:"next_action"`
	PaymentMethod      *string           `json:"payment_method"`
	PaymentMethodTypes []string          `json:"payment_method_types"`
	CancellationReason *string           `json:"cancellation_reason"`
	Metadata           map[string]string `json:"metadata"`
	Created            int64             `json:"created"`
	Livemode           bool              `json:"livemode"`
}

// charge is Stripe's Charge: one attempt to take a PaymentIntent's money,
// failed or succeeded; refunds count against it.
type charge struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Amount         int64             `json:"amount"`
	AmountCaptured int64             `json:"amount_captured"`
	AmountRefunded int64             `json:"amount_refunded"`
	Captured       bool              `json:"captured"`
	Currency       string            `json:"currency"`
	Paid           bool              `json:"paid"`
	Refunded       bool              `json:"refunded"`
	Status         string            `json:"status"`
	FailureCode    *string           `json:"failure_code"`
	FailureMessage *string           `json:"failure_message"`
	PaymentIntent  string            `json:"payment_intent"`
	PaymentMethod  string            `json:"payment_method"`
	Customer       *string           `json:"customer"`
	Metadata       map[string]string `json:"metadata"`
	Created        int64             `json:"created"`
	Livemode       bool              `json:"livemode"`
}

// refund is Stripe's Refund, always succeeded here.
type refund struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Charge        string            `json:"charge"`
	PaymentIntent string            `json:"payment_intent"`
	Reason        *string           `json:"reason"`
	Status        string            `json:"status"`
	Metadata      map[string]string `json:"metadata"`
	Created       int64             `json:"created"`
}

// nextAction tells the client what the guest must do: Stripe.js handles
// use_stripe_sdk, a browser without it follows redirect_to_url.
type nextAction struct {
	Type          string         `json:"type"`
	RedirectToURL *redirectToURL `json:"redirect_to_url,omitempty"`
	UseStripeSDK  map[string]any `json:"use_stripe_sdk,omitempty"`
}

type redirectToURL struct {
	URL       string `json:"url"`
	ReturnURL string `json:"return_url"`
}

// The statuses of an intent.
const (
	statusRequiresPaymentMethod = "requires_payment_method"
	statusRequiresConfirmation  = "requires_confirmation"
	statusRequiresAction        = "requires_action"
	statusSucceeded             = "succeeded"
	statusCanceled              = "canceled"
)

func ok200(v any) (int, []byte) {
	b, err := json.Marshal(v)
	if err != nil {
		return errorBody(http.StatusInternalServerError, apiError{Type: "api_error", Message: err.Error()})
	}
	return http.StatusOK, b
}

func secret(id string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return id + "_secret_" + hex.EncodeToString(b)
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// amountParam reads a positive integer amount in minor units; Stripe
// takes no decimals, so "10.50" is refused rather than rounded.
func amountParam(f form, name string) (int64, bool) {
	v := f.get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > 99999999 {
		return 0, false
	}
	return n, true
}

func currencyParam(f form) (string, bool) {
	c := strings.ToLower(f.get("currency"))
	if len(c) != 3 {
		return "", false
	}
	for _, r := range c {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	return c, true
}

func boolParam(f form, name string) bool { return f.get(name) == "true" }

// formatAmount writes minor units as the currency's amount for messages,
// in integers only.
func formatAmount(minor int64, currency string) string {
	c := strings.ToUpper(currency)
	if payments.ZeroDecimal(currency) {
		return fmt.Sprintf("%d %s", minor, c)
	}
	return fmt.Sprintf("%d.%02d %s", minor/100, minor%100, c)
}
