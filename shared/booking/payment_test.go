package booking

import (
	"errors"
	"testing"
	"time"
)

// lisbonPrice is 3 nights of rooms at 12345 cents in all, 6% VAT added
// (740.7, so 741) and a city tax of 2 × 3 × 200 = 1200 paid at the hotel.
var lisbonPrice = Price{Currency: "EUR", RoomCents: 12345, TotalCents: 13086, PayAtHotelCents: 1200, GrandTotalCents: 14286}

func TestTermsOfEachPolicy(t *testing.T) {
	for _, c := range []struct {
		pol        PaymentPolicy
		now, later int64
	}{
		{PaymentPolicy{Policy: PolicyGuarantee}, 0, 13086},
		{PaymentPolicy{Policy: PolicyPrepay}, 13086, 0},
		// 30% of 13086 = 3925.8 → 3926 (half up); 13086 − 3926 = 9160.
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 30}, 3926, 9160},
		// 25% of 13086 = 3271.5 → 3272: exactly half rounds up.
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 25}, 3272, 9814},
		// 1% of 13086 = 130.86 → 131.
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 1}, 131, 12955},
	} {
		got := TermsOf(c.pol, lisbonPrice)
		if got.DueNowCents != c.now || got.DueLaterCents != c.later {
			t.Errorf("%+v: now %d later %d, want %d and %d", c.pol, got.DueNowCents, got.DueLaterCents, c.now, c.later)
		}
		// What is paid at the hotel is in neither, and shown apart.
		if got.DueNowCents+got.DueLaterCents != lisbonPrice.TotalCents || got.PayAtHotelCents != 1200 || got.Currency != "EUR" {
			t.Errorf("%+v: %+v does not split TotalCents 13086 with 1200 apart", c.pol, got)
		}
	}
}

func TestTermsOfAZeroDecimalCurrency(t *testing.T) {
	// ¥45,001 for the stay: minor units are whole yen, nothing scaled.
	// 30% = 13500.3 → 13500; 50% = 22500.5 → 22501.
	yen := RoomOnly("JPY", 45001)
	if got := TermsOf(PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 30}, yen); got.DueNowCents != 13500 || got.DueLaterCents != 31501 || got.Currency != "JPY" {
		t.Fatalf("30%% of ¥45001: %+v", got)
	}
	if got := TermsOf(PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 50}, yen); got.DueNowCents != 22501 {
		t.Fatalf("50%% of ¥45001: %+v", got)
	}
	if got := TermsOf(PaymentPolicy{Policy: PolicyPrepay}, yen); got.DueNowCents != 45001 || got.DueLaterCents != 0 {
		t.Fatalf("prepay ¥45001: %+v", got)
	}
}

func TestDefaultPolicyFollowsRefundability(t *testing.T) {
	if DefaultPolicy(true).Policy != PolicyGuarantee || DefaultPolicy(false).Policy != PolicyPrepay {
		t.Fatal("refundable plans default to guarantee, non-refundable ones to prepay")
	}
	// A reservation booked before policies reads as the default.
	r := Reservation{Refundable: false, Price: lisbonPrice, TotalCents: 13086}
	if got := r.PaymentTerms(); got.Policy != PolicyPrepay || got.DueNowCents != 13086 {
		t.Fatalf("non-refundable reservation without a policy: %+v", got)
	}
}

func TestRatePlanPaymentPolicyValidation(t *testing.T) {
	base := RatePlan{RoomTypeCode: "DBL", Code: "DBL-FLEX", Name: "Flex", Refundable: true, FreeCancellationHours: 48}
	for _, c := range []struct {
		pol   PaymentPolicy
		field string
	}{
		{PaymentPolicy{}, ""}, // the default
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 99}, ""},
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 0}, "deposit_percent"},
		{PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 100}, "deposit_percent"},
		{PaymentPolicy{Policy: PolicyPrepay, DepositPercent: 30}, "deposit_percent"},
		{PaymentPolicy{Policy: "pay-later"}, "payment_policy"},
	} {
		p := base
		p.Payment = c.pol
		err := p.Validate()
		var v *ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.pol, err)
		case c.field != "" && (!errors.As(err, &v) || v.Fields[c.field] == ""):
			t.Errorf("%+v: %v, want a problem with %s", c.pol, err, c.field)
		}
	}
}

func TestRefundOnCancelAndTheGuaranteeFee(t *testing.T) {
	until := time.Date(2027, 7, 8, 15, 0, 0, 0, time.UTC)
	r := Reservation{Status: StatusConfirmed, Refundable: true, FreeCancellationUntil: &until, PenaltyPercent: 30,
		TotalCents: 13086, Price: lisbonPrice, Payment: PaymentPolicy{Policy: PolicyDeposit, DepositPercent: 50}}
	inside, outside := until.Add(-time.Minute), until
	// Deposit 50% paid: 6543.
	if got := r.RefundOnCancel(6543, inside); got != 6543 {
		t.Errorf("inside the free window: refund %d, want all 6543", got)
	}
	// Outside: the fee is 30% of 13086 = 3925.8 → 3926; 6543 − 3926.
	if got := r.RefundOnCancel(6543, outside); got != 2617 {
		t.Errorf("outside the free window: refund %d, want 2617", got)
	}
	if got := r.FeeToCharge(6543, outside); got != 0 {
		t.Errorf("a deposit above the fee leaves %d to charge, want 0", got)
	}
	// Prepaid and non-refundable: the fee is everything, nothing back.
	nr := r
	nr.Refundable, nr.FreeCancellationUntil, nr.PenaltyPercent = false, nil, 100
	if got := nr.RefundOnCancel(13086, inside); got != 0 {
		t.Errorf("non-refundable: refund %d, want 0", got)
	}
	// Guarantee: nothing paid, nothing back; the fee is charged off-session.
	g := r
	g.Payment = PaymentPolicy{Policy: PolicyGuarantee}
	if got := g.RefundOnCancel(0, outside); got != 0 {
		t.Errorf("guarantee: refund %d, want 0", got)
	}
	if got := g.FeeToCharge(0, outside); got != 3926 {
		t.Errorf("guarantee fee outside the window: %d, want 3926", got)
	}
	if got := g.FeeToCharge(0, inside); got != 0 {
		t.Errorf("guarantee fee inside the window: %d, want 0", got)
	}
	// A deposit below the fee: 10% paid (1309) leaves 3926 − 1309 to charge.
	if got := r.FeeToCharge(1309, outside); got != 2617 {
		t.Errorf("fee beyond a small deposit: %d, want 2617", got)
	}
}

func TestLedgerSigns(t *testing.T) {
	ps := []PaymentRecord{
		{Kind: PaymentCharge, AmountCents: 6543}, {Kind: PaymentRefund, AmountCents: 2617},
		{Kind: PaymentFee, AmountCents: 500}, {Kind: PaymentFailure, AmountCents: 9999},
		{Kind: PaymentAuthorization, AmountCents: 100}, {Kind: PaymentSetup},
	}
	if got := Paid(ps); got != 4426 {
		t.Fatalf("paid = %d, want 6543 − 2617 + 500 = 4426", got)
	}
}
