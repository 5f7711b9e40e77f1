package cashier

import (
	"reflect"
	"testing"

	"innkeeper/shared/booking"
	"innkeeper/shared/payments"
)

// What is left to refund of each payment is its charge minus the
// refunds naming it, latest payment first; a payment refunded in full,
// a setup and a failure have nothing left.
func TestLeftToRefund(t *testing.T) {
	ps := []booking.PaymentRecord{
		{Kind: booking.PaymentSetup, ProviderRef: "seti_1"},
		{Kind: booking.PaymentCharge, AmountCents: 8415, ProviderRef: "pi_A", Currency: "EUR"},
		{Kind: booking.PaymentFailure, AmountCents: 500, ProviderRef: "pi_X", Currency: "EUR"},
		{Kind: booking.PaymentCharge, AmountCents: 4208, ProviderRef: "pi_B", Currency: "EUR"},
		{Kind: booking.PaymentRefund, AmountCents: 4208, RefundOf: "pi_B"},
		{Kind: booking.PaymentFee, AmountCents: 1000, ProviderRef: "pi_C", Currency: "EUR"},
		{Kind: booking.PaymentRefund, AmountCents: 15, RefundOf: "pi_A"},
	}
	want := []refundable{
		{Payment: "pi_C", Left: 1000, Refunded: 0, Currency: "EUR"},
		{Payment: "pi_A", Left: 8400, Refunded: 15, Currency: "EUR"},
	}
	if got := leftToRefund(ps); !reflect.DeepEqual(got, want) {
		t.Errorf("left to refund %+v, want %+v", got, want)
	}
}

// A booking's payment names each line and its share; a payment of one
// reservation names it alone; a malformed line is left out.
func TestTargetsOf(t *testing.T) {
	ev := payments.Event{ObjectID: "pi_1", Type: "payment_intent.succeeded", Reservation: "INK-BKG234", Amount: 8415,
		Metadata: map[string]string{metaKey: "INK-BKG234:booking:1", metaLines: "INK-MNA234=0,INK-MNB234=8415,nonsense,INK-MNC234=x"}}
	want := []target{
		{ref: "INK-MNA234", key: "INK-BKG234:booking:1:INK-MNA234", amount: 0, line: true},
		{ref: "INK-MNB234", key: "INK-BKG234:booking:1:INK-MNB234", amount: 8415, line: true},
	}
	if got := targetsOf(ev); !reflect.DeepEqual(got, want) {
		t.Errorf("targets %+v, want %+v", got, want)
	}
	ev.Metadata = map[string]string{}
	if got := targetsOf(ev); !reflect.DeepEqual(got, []target{{ref: "INK-BKG234", key: "pi_1:payment_intent.succeeded", amount: 8415}}) {
		t.Errorf("a payment without our metadata: %+v", got)
	}
}
