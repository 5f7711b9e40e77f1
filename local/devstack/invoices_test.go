package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// Invoices through the devstack, as the README's flow: a night booked
// for tonight, checked in, the clock moved a day, checked out paid by
// card; the desk's answer names the invoice, which the guest fetches as
// a PDF with the token, the demo hotel's illustrative legal entity as
// the seller.
func TestInvoiceThroughTheDevstack(t *testing.T) {
	s, log := startStack(t)
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(lisbon)
	in, out := today.Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)
	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "STD", "rate_plan": "STD-FLEX", "check_in": in, "check_out": out,
		"adults": 2, "guest": map[string]any{"name": "Inês Fatura", "email": "ines@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "invoice-1")
	if r.status != http.StatusCreated {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	ref := r.body["reservation"].(map[string]any)["reference"].(string)
	token := r.body["access_token"].(string)
	if r := call(t, "POST", s.URL+"/v1/admin/reservations/"+ref+"/check-in", nil, admin...); r.status != http.StatusOK {
		t.Fatalf("check in: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", s.ControlURL+"/_devstack/clock/advance?by=24h", nil); r.status != http.StatusOK {
		t.Fatalf("advance the clock: %d %v", r.status, r.body)
	}
	r = call(t, "POST", s.URL+"/v1/admin/reservations/"+ref+"/check-out", map[string]any{"payment_method": "card"}, admin...)
	if r.status != http.StatusOK {
		t.Fatalf("check out: %d %v\n%s", r.status, r.body, log.String())
	}
	docs, _ := r.body["invoices"].([]any)
	if len(docs) != 1 {
		t.Fatalf("check-out's invoices: %v", r.body)
	}
	inv := docs[0].(map[string]any)
	number := inv["number"].(string)
	seller := inv["seller"].(map[string]any)
	if !strings.HasPrefix(number, "LR-") || !strings.HasSuffix(number, "-000001") || seller["tax_id"] != "PT500000000" ||
		// At check-out the guest pays the stay and what is paid at the
		// hotel (Lisbon's tourist tax): the price's grand total.
		inv["total_cents"] != r.body["reservation"].(map[string]any)["price"].(map[string]any)["grand_total_cents"] {
		t.Fatalf("invoice %v", inv)
	}

	req, _ := http.NewRequest("GET", s.URL+"/v1/reservations/"+ref+"/invoice", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/pdf")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="`+number+`.pdf"` || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %v %q", resp.StatusCode, resp.Header, body[:min(len(body), 200)])
	}
}
