package payments

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// DefaultTimeout bounds one Provider call, retries included: past it the
// call is ErrUnavailable, never a hang. Stripe answers in well under a
// second; an API request must still answer inside API Gateway's 29 s.
const DefaultTimeout = 10 * time.Second

// StripeConfig configures the Stripe provider.
type StripeConfig struct {
	// SecretKey is the account's secret key (sk_test_…/sk_live_…; from
	// Secrets Manager in the cloud).
	SecretKey string
	// URL is the API's base: empty for Stripe's own, stripe-mock's in
	// tests, the devstack's emulator locally.
	URL string
	// Timeout bounds each call (DefaultTimeout when zero).
	Timeout time.Duration
	// MaxRetries is how many times stripe-go retries a call that failed
	// on the network or with a 5xx/409, with the same idempotency key
	// (0: none; the Timeout bounds them all).
	MaxRetries int64
	// HTTPClient replaces the HTTP client (a test's, to see the requests).
	HTTPClient *http.Client
}

// Stripe is the Provider through Stripe's official Go client.
type Stripe struct {
	client  *stripe.Client
	timeout time.Duration
}

var _ Provider = (*Stripe)(nil)

// NewStripe is the Stripe provider of cfg.
func NewStripe(cfg StripeConfig) *Stripe {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(cfg.MaxRetries),
		EnableTelemetry:   stripe.Bool(false),
		// Errors come back to the caller, which logs them its own way.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.URL != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.URL, "/"))
	}
	return &Stripe{
		client:  stripe.NewClient(cfg.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		timeout: timeout,
	}
}

// metadata is the caller's metadata with the reservation reference.
func metadata(reservation string, extra map[string]string) map[string]string {
	out := make(map[string]string, len(extra)+1)
	for k, v := range extra {
		out[k] = v
	}
	if reservation != "" {
		out["reservation"] = reservation
	}
	return out
}

func checkKey(key string) error {
	switch {
	case strings.TrimSpace(key) == "":
		return invalid("no idempotency key")
	case len(key) > 255:
		return invalid("idempotency key longer than 255 characters")
	}
	return nil
}

func checkMethod(pm string) error {
	if !strings.HasPrefix(pm, "pm_") {
		return invalid("payment method %q is no PaymentMethod id (pm_…)", pm)
	}
	return nil
}

// amount checks and converts an amount for Stripe.
func amount(minor int64, code string) (int64, string, error) {
	if minor <= 0 {
		return 0, "", invalid("amount %d is not positive", minor)
	}
	a, err := StripeAmount(minor, code)
	return a, strings.ToLower(code), err
}

// Pay creates and confirms a PaymentIntent for a card the client just
// created. Only cards: Stripe.js and the mobile SDKs authenticate them
// with the client secret (use_stripe_sdk), so no return URL is needed
// unless the caller gives one.
func (s *Stripe) Pay(ctx context.Context, p Payment) (Result, error) {
	amt, cur, err := amount(p.Amount, p.Currency)
	if err == nil {
		err = errors.Join(checkKey(p.IdempotencyKey), checkMethod(p.PaymentMethod))
	}
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	params := &stripe.PaymentIntentCreateParams{
		Amount:             stripe.Int64(amt),
		Currency:           stripe.String(cur),
		PaymentMethod:      stripe.String(p.PaymentMethod),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		Confirm:            stripe.Bool(true),
		UseStripeSDK:       stripe.Bool(true),
		Metadata:           metadata(p.Reservation, p.Metadata),
	}
	optional(&params.Description, p.Description)
	optional(&params.ReturnURL, p.ReturnURL)
	if p.SaveForLater {
		customer, err := s.customer(ctx, p.IdempotencyKey, p.Reservation, p.Name, p.Email, p.Metadata)
		if err != nil {
			return Result{}, err
		}
		params.Customer = stripe.String(customer)
		params.SetupFutureUsage = stripe.String(string(stripe.PaymentIntentSetupFutureUsageOffSession))
	}
	params.SetIdempotencyKey(p.IdempotencyKey)
	pi, err := s.client.V1PaymentIntents.Create(ctx, params)
	return paymentResult(pi, err)
}

// customer creates the customer a card is saved to, under the key of
// the call it is for.
func (s *Stripe) customer(ctx context.Context, key, reservation, name, email string, meta map[string]string) (string, error) {
	params := &stripe.CustomerCreateParams{Metadata: metadata(reservation, meta)}
	optional(&params.Name, name)
	optional(&params.Email, email)
	params.SetIdempotencyKey(key + ":customer")
	cust, err := s.client.V1Customers.Create(ctx, params)
	if err != nil {
		return "", providerError(err)
	}
	return cust.ID, nil
}

// Save creates (when the request names none) a customer, then creates and
// confirms a SetupIntent with usage off_session for it: the card is
// attached to the customer and can be charged later without the guest.
func (s *Stripe) Save(ctx context.Context, c SaveCard) (Result, error) {
	if err := errors.Join(checkKey(c.IdempotencyKey), checkMethod(c.PaymentMethod)); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	customer := c.Customer
	if customer == "" {
		var err error
		if customer, err = s.customer(ctx, c.IdempotencyKey, c.Reservation, c.Name, c.Email, c.Metadata); err != nil {
			return Result{}, err
		}
	}
	params := &stripe.SetupIntentCreateParams{
		Customer:           stripe.String(customer),
		PaymentMethod:      stripe.String(c.PaymentMethod),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		Usage:              stripe.String(string(stripe.SetupIntentUsageOffSession)),
		Confirm:            stripe.Bool(true),
		UseStripeSDK:       stripe.Bool(true),
		Metadata:           metadata(c.Reservation, c.Metadata),
	}
	optional(&params.ReturnURL, c.ReturnURL)
	params.SetIdempotencyKey(c.IdempotencyKey)
	si, err := s.client.V1SetupIntents.Create(ctx, params)
	r, err := setupResult(si, err)
	if r.Customer == "" {
		r.Customer = customer
	}
	return r, err
}

// ChargeSaved creates and confirms an off-session PaymentIntent of a
// saved card.
func (s *Stripe) ChargeSaved(ctx context.Context, o OffSession) (Result, error) {
	amt, cur, err := amount(o.Amount, o.Currency)
	if err == nil {
		err = errors.Join(checkKey(o.IdempotencyKey), checkMethod(o.PaymentMethod))
	}
	if err == nil && !strings.HasPrefix(o.Customer, "cus_") {
		err = invalid("customer %q is no Customer id (cus_…)", o.Customer)
	}
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	params := &stripe.PaymentIntentCreateParams{
		Amount:             stripe.Int64(amt),
		Currency:           stripe.String(cur),
		Customer:           stripe.String(o.Customer),
		PaymentMethod:      stripe.String(o.PaymentMethod),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		OffSession:         stripe.Bool(true),
		Confirm:            stripe.Bool(true),
		Metadata:           metadata(o.Reservation, o.Metadata),
	}
	optional(&params.Description, o.Description)
	params.SetIdempotencyKey(o.IdempotencyKey)
	pi, err := s.client.V1PaymentIntents.Create(ctx, params)
	return paymentResult(pi, err)
}

// Refund refunds Amount of a PaymentIntent.
func (s *Stripe) Refund(ctx context.Context, r RefundRequest) (Result, error) {
	amt, _, err := amount(r.Amount, r.Currency)
	if err == nil {
		err = checkKey(r.IdempotencyKey)
	}
	if err != nil {
		return Result{}, err
	}
	if !strings.HasPrefix(r.Payment, "pi_") {
		return Result{}, invalid("payment %q is no PaymentIntent id (pi_…)", r.Payment)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	params := &stripe.RefundCreateParams{
		PaymentIntent: stripe.String(r.Payment),
		Amount:        stripe.Int64(amt),
		Reason:        stripe.String(string(stripe.RefundReasonRequestedByCustomer)),
		Metadata:      metadata(r.Reservation, r.Metadata),
	}
	params.SetIdempotencyKey(r.IdempotencyKey)
	re, err := s.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return Result{}, providerError(err)
	}
	out := Result{ID: re.ID, Currency: strings.ToUpper(string(re.Currency))}
	out.Amount = FromStripeAmount(re.Amount, out.Currency)
	switch re.Status {
	case stripe.RefundStatusSucceeded:
		out.Status = StatusSucceeded
	case stripe.RefundStatusPending, stripe.RefundStatusRequiresAction:
		out.Status = StatusProcessing
	case stripe.RefundStatusCanceled:
		out.Status = StatusCancelled
	default:
		out.Status = StatusFailed
	}
	return out, nil
}

// Cancel cancels a PaymentIntent (pi_…) or a SetupIntent (seti_…). A
// retry with the same key replays the first answer; an intent that
// succeeded (or was cancelled under another key) is ErrState: refund a
// succeeded payment instead.
func (s *Stripe) Cancel(ctx context.Context, id, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var err error
	switch {
	case strings.HasPrefix(id, "pi_"):
		params := &stripe.PaymentIntentCancelParams{}
		params.SetIdempotencyKey(key)
		_, err = s.client.V1PaymentIntents.Cancel(ctx, id, params)
	case strings.HasPrefix(id, "seti_"):
		params := &stripe.SetupIntentCancelParams{}
		params.SetIdempotencyKey(key)
		_, err = s.client.V1SetupIntents.Cancel(ctx, id, params)
	default:
		return invalid("%q is no PaymentIntent or SetupIntent id", id)
	}
	if err != nil {
		return providerError(err)
	}
	return nil
}

func optional(dst **string, v string) {
	if v != "" {
		*dst = stripe.String(v)
	}
}

// paymentResult normalises a PaymentIntent, or the error that came
// instead: a card error is a declined Result, not an error.
func paymentResult(pi *stripe.PaymentIntent, err error) (Result, error) {
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
			out := Result{Status: StatusDeclined, Decline: decline(se)}
			if se.PaymentIntent != nil {
				out.ID = se.PaymentIntent.ID
				out.Amount = FromStripeAmount(se.PaymentIntent.Amount, string(se.PaymentIntent.Currency))
				out.Currency = strings.ToUpper(string(se.PaymentIntent.Currency))
			}
			return out, nil
		}
		return Result{}, providerError(err)
	}
	out := Result{
		ID:           pi.ID,
		Currency:     strings.ToUpper(string(pi.Currency)),
		ClientSecret: pi.ClientSecret,
	}
	out.Amount = FromStripeAmount(pi.Amount, out.Currency)
	if pi.Customer != nil {
		out.Customer = pi.Customer.ID
	}
	if pi.PaymentMethod != nil {
		out.PaymentMethod = pi.PaymentMethod.ID
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded, stripe.PaymentIntentStatusRequiresCapture:
		out.Status = StatusSucceeded
	case stripe.PaymentIntentStatusRequiresAction:
		out.Status = StatusRequiresAction
		out.NextAction = nextAction(pi.NextAction)
	case stripe.PaymentIntentStatusProcessing:
		out.Status = StatusProcessing
	case stripe.PaymentIntentStatusCanceled:
		out.Status = StatusCancelled
	default: // requires_payment_method after a failure, requires_confirmation
		// Declined when the last error is the card's; failed otherwise.
		out.Status = StatusFailed
		if e := pi.LastPaymentError; e != nil && e.Type == stripe.ErrorTypeCard {
			out.Status, out.Decline = StatusDeclined, decline(e)
		}
	}
	return out, nil
}

// setupResult is paymentResult for a SetupIntent.
func setupResult(si *stripe.SetupIntent, err error) (Result, error) {
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
			out := Result{Status: StatusDeclined, Decline: decline(se)}
			if se.SetupIntent != nil {
				out.ID = se.SetupIntent.ID
			}
			return out, nil
		}
		return Result{}, providerError(err)
	}
	out := Result{ID: si.ID, ClientSecret: si.ClientSecret}
	if si.Customer != nil {
		out.Customer = si.Customer.ID
	}
	if si.PaymentMethod != nil {
		out.PaymentMethod = si.PaymentMethod.ID
	}
	switch si.Status {
	case stripe.SetupIntentStatusSucceeded:
		out.Status = StatusSucceeded
	case stripe.SetupIntentStatusRequiresAction:
		out.Status = StatusRequiresAction
		if si.NextAction != nil {
			out.NextAction = &NextAction{Type: string(si.NextAction.Type)}
			if si.NextAction.RedirectToURL != nil {
				out.NextAction.RedirectURL = si.NextAction.RedirectToURL.URL
			}
		}
	case stripe.SetupIntentStatusProcessing:
		out.Status = StatusProcessing
	case stripe.SetupIntentStatusCanceled:
		out.Status = StatusCancelled
	default:
		out.Status = StatusFailed
		if e := si.LastSetupError; e != nil && e.Type == stripe.ErrorTypeCard {
			out.Status, out.Decline = StatusDeclined, decline(e)
		}
	}
	return out, nil
}

func nextAction(na *stripe.PaymentIntentNextAction) *NextAction {
	if na == nil {
		return &NextAction{Type: "use_stripe_sdk"}
	}
	out := &NextAction{Type: string(na.Type)}
	if na.RedirectToURL != nil {
		out.RedirectURL = na.RedirectToURL.URL
	}
	return out
}

func decline(se *stripe.Error) *Decline {
	code := string(se.DeclineCode)
	if code == "" {
		code = string(se.Code)
	}
	return &Decline{Code: code, Message: se.Msg}
}

// providerError sorts a stripe-go error into ours. Anything that is not
// an answer from Stripe (a refused connection, a timeout, a cancelled
// context) is ErrUnavailable, and so are Stripe's own failures (5xx,
// rate limiting).
func providerError(err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return &Error{Kind: ErrUnavailable, Err: err}
	}
	out := &Error{Code: string(se.Code), Param: se.Param, Message: se.Msg,
		RequestID: se.RequestID, HTTPStatus: se.HTTPStatusCode, Err: err}
	switch {
	case se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests ||
		se.Type == stripe.ErrorTypeAPI:
		out.Kind = ErrUnavailable
	case se.Type == stripe.ErrorTypeIdempotency || se.Code == stripe.ErrorCodeIdempotencyKeyInUse:
		out.Kind = ErrIdempotency
	case se.Code == stripe.ErrorCodePaymentIntentUnexpectedState ||
		se.Code == stripe.ErrorCodeSetupIntentUnexpectedState ||
		se.Code == stripe.ErrorCodeChargeAlreadyRefunded || se.Code == stripe.ErrorCodeAmountTooLarge:
		out.Kind = ErrState
	case se.Param == "payment_method" || se.Code == stripe.ErrorCodePaymentMethodUnexpectedState:
		out.Kind = ErrPaymentMethod
	default:
		out.Kind = ErrRejected
	}
	return out
}
