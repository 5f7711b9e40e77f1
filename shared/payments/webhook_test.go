package payments_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"innkeeper/shared/payments"
)

const whsec = "whsec_test_innkeeper"

// now is a fixed clock, far from the wall clock, as the tests' is.
var now = time.Date(2030, 3, 14, 9, 30, 0, 0, time.UTC)

const succeeded = `{"id":"evt_1","object":"event","api_version":"2024-06-20","created":1900000000,
"type":"payment_intent.succeeded","data":{"object":{"id":"pi_42","object":"payment_intent","amount":57800,
"currency":"jpy","status":"succeeded","customer":"cus_7","payment_method":"pm_9",
"metadata":{"reservation":"INK-ABC123","purpose":"prepay"}}}}`

func sign(payload, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: []byte(payload), Secret: secret, Timestamp: at}).Header
}

func TestVerifyWebhook(t *testing.T) {
	ev, err := payments.VerifyWebhook([]byte(succeeded), sign(succeeded, whsec, now.Add(-time.Minute)), whsec, now)
	if err != nil {
		t.Fatal(err)
	}
	want := payments.Event{ID: "evt_1", Type: "payment_intent.succeeded", Created: time.Unix(1900000000, 0).UTC(),
		Object: "payment_intent", ObjectID: "pi_42", PaymentIntent: "pi_42", Status: payments.StatusSucceeded,
		Amount: 57800, Currency: "JPY", Reservation: "INK-ABC123", Customer: "cus_7", PaymentMethod: "pm_9"}
	if ev.Metadata["purpose"] != "prepay" {
		t.Errorf("metadata %v", ev.Metadata)
	}
	ev.Metadata, want.Metadata = nil, nil
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event %+v\nwant  %+v", ev, want)
	}

	// Replayed: the same delivery parses to the same event (id and all),
	// so the consumer's dedup by ID holds, and nothing is kept here.
	again, err := payments.VerifyWebhook([]byte(succeeded), sign(succeeded, whsec, now.Add(-2*time.Minute)), whsec, now)
	if err != nil || again.ID != "evt_1" || again.ObjectID != "pi_42" || again.Status != payments.StatusSucceeded {
		t.Errorf("replay: %+v, %v", again, err)
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	good := sign(succeeded, whsec, now)
	tampered := strings.Replace(succeeded, `"amount":57800`, `"amount":1`, 1)
	for name, c := range map[string]struct{ payload, header, secret string }{
		"forged (other secret)":    {succeeded, sign(succeeded, "whsec_attacker", now), whsec},
		"tampered body":            {tampered, good, whsec},
		"stale (6 minutes old)":    {succeeded, sign(succeeded, whsec, now.Add(-6*time.Minute)), whsec},
		"from the future (6 min)":  {succeeded, sign(succeeded, whsec, now.Add(6*time.Minute)), whsec},
		"no header":                {succeeded, "", whsec},
		"no timestamp":             {succeeded, "v1=" + strings.Repeat("0", 64), whsec},
		"garbage":                  {succeeded, "t=abc,v1=zz", whsec},
		"no secret configured":     {succeeded, good, ""},
		"signed at the wall clock": {succeeded, sign(succeeded, whsec, time.Now()), whsec},
	} {
		if _, err := payments.VerifyWebhook([]byte(c.payload), c.header, c.secret, now); !errors.Is(err, payments.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	// Within the tolerance on both sides.
	for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
		if _, err := payments.VerifyWebhook([]byte(succeeded), sign(succeeded, whsec, now.Add(d)), whsec, now); err != nil {
			t.Errorf("signed %v from now: %v", d, err)
		}
	}
	// Signed but no event.
	if _, err := payments.VerifyWebhook([]byte(`[1]`), sign(`[1]`, whsec, now), whsec, now); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("signed non-event: %v, want ErrInvalid", err)
	}
}

func TestWebhookEventsOfEachKind(t *testing.T) {
	for name, c := range map[string]struct {
		payload string
		check   func(payments.Event) bool
	}{
		"payment failed": {`{"id":"evt_2","type":"payment_intent.payment_failed","created":1,"data":{"object":{
			"id":"pi_5","object":"payment_intent","amount":16150,"currency":"eur","status":"requires_payment_method",
			"last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined."},
			"metadata":{"reservation":"INK-X"}}}}`, func(e payments.Event) bool {
			return e.Status == payments.StatusDeclined && e.Decline != nil && e.Decline.Code == "generic_decline" &&
				e.Amount == 16150 && e.Currency == "EUR" && e.Reservation == "INK-X"
		}},
		"setup succeeded": {`{"id":"evt_3","type":"setup_intent.succeeded","created":1,"data":{"object":{
			"id":"seti_5","object":"setup_intent","status":"succeeded","customer":{"id":"cus_1","object":"customer"},
			"payment_method":"pm_2","metadata":{"reservation":"INK-Y"}}}}`, func(e payments.Event) bool {
			return e.Status == payments.StatusSucceeded && e.ObjectID == "seti_5" && e.PaymentIntent == "" &&
				e.Customer == "cus_1" && e.PaymentMethod == "pm_2" && e.Reservation == "INK-Y" && e.Amount == 0
		}},
		"refund": {`{"id":"evt_4","type":"refund.created","created":1,"data":{"object":{
			"id":"re_5","object":"refund","amount":500,"currency":"isk","status":"pending","payment_intent":"pi_5",
			"metadata":{"reservation":"INK-Z"}}}}`, func(e payments.Event) bool {
			// 500 in Stripe's ISK is 5 krónur.
			return e.Status == payments.StatusProcessing && e.PaymentIntent == "pi_5" && e.Amount == 5 && e.Currency == "ISK"
		}},
		"cancelled": {`{"id":"evt_5","type":"payment_intent.canceled","created":1,"data":{"object":{
			"id":"pi_6","object":"payment_intent","amount":100,"currency":"eur","status":"canceled"}}}`,
			func(e payments.Event) bool { return e.Status == payments.StatusCancelled && e.Reservation == "" }},
		"requires action": {`{"id":"evt_6","type":"payment_intent.requires_action","created":1,"data":{"object":{
			"id":"pi_7","object":"payment_intent","amount":100,"currency":"eur","status":"requires_action"}}}`,
			func(e payments.Event) bool { return e.Status == payments.StatusRequiresAction }},
	} {
		ev, err := payments.VerifyWebhook([]byte(c.payload), sign(c.payload, whsec, now), whsec, now)
		if err != nil || !c.check(ev) {
			t.Errorf("%s: %+v %+v, %v", name, ev, ev.Decline, err)
		}
	}
}
