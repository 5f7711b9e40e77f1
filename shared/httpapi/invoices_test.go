package httpapi_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"innkeeper/shared/auth"
)

// pdfText is the text of a PDF, as its words follow each other.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a PDF: %v", err)
	}
	rd, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

func invoicesOf(t *testing.T, r result) []map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("invoices: %d %s", r.Status, r.Body)
	}
	var out []map[string]any
	for _, d := range r.JSON(t)["invoices"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

// A stay at Riverside Lisbon, two January nights of STD-FLEX (95.00 at
// 85%: 80.75 a night, 161.50), checked out and paid in cash: the desk's
// answer names the invoice, the guest reads it as JSON and as a PDF with
// the token, staff by number; anyone else is refused.
func TestCheckOutInvoiceThroughTheAPI(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")
	legal := map[string]any{"legal_name": "Riverside Hotéis, S.A.", "legal_address": "Av. Infante D. Henrique 1, 1100-278 Lisboa",
		"tax_id": "PT500000000", "invoice_prefix": "LRS"}
	h := c.do("PATCH", "/v1/admin/hotels/lisbon-riverside", legal, admin()...)
	if h.Status != 200 {
		t.Fatalf("patch the legal entity: %d %s", h.Status, h.Body)
	}
	if got := h.JSON(t)["hotel"].(map[string]any); got["tax_id"] != "PT500000000" || got["invoice_prefix"] != "LRS" {
		t.Fatalf("patched hotel %v", got)
	}
	if d := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any); d["legal_name"] != "Riverside Hotéis, S.A." || d["tax_id"] != "PT500000000" {
		t.Fatalf("public detail %v", d)
	}

	ref, token := c.book(bookingBody())
	clock.set("2027-01-10", 16)
	desk(c, ref, "check-in", nil, staff)
	clock.set("2027-01-12", 10)
	desk(c, ref, "check-out", map[string]any{"payment_method": "bitcoin"}, staff).FieldError(t, 422, "payment_method")
	out := desk(c, ref, "check-out", map[string]any{"payment_method": "cash"}, staff)
	docs := invoicesOf(t, out)
	// The rooms, 16150, carry 6 % VAT inside: net 16150 × 100 / 106 =
	// 15235.85 → 15236, VAT 914. The tourist tax, 2 adults × 2 nights ×
	// 400 = 1600, is paid at the hotel, so at check-out: 17750 in all.
	if len(docs) != 1 || docs[0]["number"] != "LRS-2027-000001" || docs[0]["total_cents"] != 17750.0 || docs[0]["vat_cents"] != 914.0 {
		t.Fatalf("check-out's invoices %v", docs)
	}

	if docs := invoicesOf(t, c.do("GET", "/v1/admin/reservations/"+ref, nil, bearer(staff)...)); len(docs) != 1 || docs[0]["number"] != "LRS-2027-000001" {
		t.Fatalf("the desk record's invoices %v", docs)
	}
	path := "/v1/reservations/" + ref + "/invoice"
	docs = invoicesOf(t, c.do("GET", path, nil, bearer(token)...))
	inv := docs[0]
	seller := inv["seller"].(map[string]any)
	payments := inv["payments"].([]any)
	if inv["kind"] != "invoice" || inv["purpose"] != "stay" || inv["paid_cents"] != 17750.0 || inv["vat_cents"] != 914.0 ||
		seller["name"] != "Riverside Hotéis, S.A." || seller["tax_id"] != "PT500000000" ||
		inv["buyer"].(map[string]any)["email"] != "ana@example.com" || len(payments) != 1 ||
		payments[0].(map[string]any)["method"] != "cash" || inv["issued_at"] != "2027-01-12T10:00:00Z" {
		t.Fatalf("invoice %v", inv)
	}
	lines := inv["lines"].([]any)
	// The rooms, the VAT inside them, and the tourist tax paid at the hotel.
	if l := lines[0].(map[string]any); len(lines) != 3 || l["code"] != "rooms" || l["quantity"] != 2.0 || l["unit_cents"] != 8075.0 || l["amount_cents"] != 16150.0 {
		t.Fatalf("lines %v", lines)
	}
	if vat, city := lines[1].(map[string]any), lines[2].(map[string]any); vat["code"] != "vat" || vat["amount_cents"] != 914.0 || vat["base_cents"] != 15236.0 ||
		city["code"] != "city-tax" || city["quantity"] != 4.0 || city["amount_cents"] != 1600.0 || city["pay_at_hotel"] != true {
		t.Fatalf("tax lines %v", lines[1:])
	}

	// The PDF, asked for either way.
	for _, headers := range [][]string{with(bearer(token), "Accept", "application/pdf"), bearer(token)} {
		p := path
		if len(headers) == 2 {
			p += "?format=pdf"
		}
		r := c.do("GET", p, nil, headers...)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" ||
			r.Header.Get("Content-Disposition") != `attachment; filename="LRS-2027-000001.pdf"` {
			t.Fatalf("PDF: %d %v", r.Status, r.Header)
		}
		text := pdfText(t, r.Body)
		for _, want := range []string{"Invoice LRS-2027-000001", "Date: 2027-01-12", "Riverside Hotéis, S.A.", "Tax ID: PT500000000",
			"Reservation: " + ref, "EUR 80.75", "EUR 161.50", "VAT 6%", "EUR 152.36 / EUR 9.14", "Lisbon tourist tax (paid at the hotel)",
			"EUR 16.00", "EUR 177.50", "Paid EUR 177.50 by cash on 2027-01-12"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF text lacks %q:\n%s", want, text)
			}
		}
	}

	// The signed link opens it too.
	exp := clock.now().Add(time.Hour).Unix()
	sig := auth.SignLink(c.api.Config.AppKey, ref, time.Unix(exp, 0))
	linked := c.do("GET", path+"?expires="+strconv.FormatInt(exp, 10)+"&signature="+sig, nil)
	if docs := invoicesOf(t, linked); len(docs) != 1 || docs[0]["number"] != "LRS-2027-000001" {
		t.Fatalf("by link: %v", docs)
	}
	c.do("GET", path+"?expires="+strconv.FormatInt(exp, 10)+"&signature=x"+sig[1:], nil).Problem(t, 403, "link-invalid")

	// A wrong token, none, or a staff key is not the guest's: 404.
	c.do("GET", path, nil, bearer("rat_wrong")...).Problem(t, 404, "not-found")
	c.do("GET", path, nil).Problem(t, 404, "not-found")
	c.do("GET", path, nil, bearer(staff)...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/reservations/INK-000000/invoice", nil, bearer(token)...).Problem(t, 404, "not-found")
	c.do("GET", path+"?format=xml", nil, bearer(token)...).FieldError(t, 422, "format")
	c.do("GET", path+"?number=LRS-2027-000001", nil, bearer(token)...).FieldError(t, 422, "number")
	c.do("GET", path+"?format=pdf&number=LRS-2027-000009", nil, bearer(token)...).Problem(t, 404, "not-found")

	// Staff (and admin) read it by number, as JSON or PDF; a finance key
	// stays out of staff routes.
	byNumber := "/v1/admin/invoices/LRS-2027-000001"
	for _, key := range []string{staff, testAdminKey()} {
		if r := c.do("GET", byNumber, nil, bearer(key)...); r.Status != 200 || r.JSON(t)["invoice"].(map[string]any)["total_cents"] != 17750.0 {
			t.Fatalf("staff read: %d %s", r.Status, r.Body)
		}
	}
	if r := c.do("GET", byNumber+"?format=pdf", nil, bearer(staff)...); r.Status != 200 || !strings.Contains(pdfText(t, r.Body), "Invoice LRS-2027-000001") {
		t.Fatalf("staff PDF: %d", r.Status)
	}
	c.do("GET", byNumber, nil).Problem(t, 401, "unauthorized")
	c.do("GET", byNumber, nil, bearer(finance)...).Problem(t, 403, "forbidden")
	c.do("GET", byNumber, nil, bearer(token)...).Problem(t, 401, "unauthorized")
	c.do("GET", "/v1/admin/invoices/LRS-2027-000002", nil, bearer(staff)...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/admin/invoices/nonsense", nil, bearer(staff)...).Problem(t, 404, "not-found")

	// The series has numbered an invoice: its prefix stays.
	c.do("PATCH", "/v1/admin/hotels/lisbon-riverside", map[string]any{"invoice_prefix": "RL"}, admin()...).Problem(t, 409, "conflict")
	c.do("PATCH", "/v1/admin/hotels/lisbon-riverside", map[string]any{"invoice_prefix": "rl"}, admin()...).FieldError(t, 422, "invoice_prefix")
}

// A non-refundable booking is invoiced as it is made; the desk cancels
// it with the fee waived, and the credit note refers to the invoice and
// gives all of it back. The guest's PDF is then the credit note.
func TestPrepaidInvoiceAndCreditNoteThroughTheAPI(t *testing.T) {
	t.Parallel()
	c, _ := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	// STD-NR: 83.60 at 85% in January, 71.06 a night, 142.12.
	ref, token := c.book(bookingBody(set("rate_plan", "STD-NR")))
	path := "/v1/reservations/" + ref + "/invoice"
	docs := invoicesOf(t, c.do("GET", path, nil, bearer(token)...))
	if len(docs) != 1 || docs[0]["number"] != "LR-2026-000001" || docs[0]["purpose"] != "prepaid" || docs[0]["total_cents"] != 14212.0 {
		t.Fatalf("at booking: %v", docs)
	}
	cancel := desk(c, ref, "cancel", map[string]any{"reason": "Guest called", "waive_fee": true}, staff)
	docs = invoicesOf(t, cancel)
	if len(docs) != 2 {
		t.Fatalf("after the cancellation: %v", docs)
	}
	cn := docs[1]
	if cn["number"] != "LR-CN-2026-000001" || cn["kind"] != "credit_note" || cn["refers_to"] != "LR-2026-000001" ||
		cn["total_cents"] != -14212.0 || cn["paid_cents"] != -14212.0 {
		t.Fatalf("credit note %v", cn)
	}
	r := c.do("GET", path, nil, with(bearer(token), "Accept", "application/pdf")...)
	if r.Status != 200 || r.Header.Get("Content-Disposition") != `attachment; filename="LR-CN-2026-000001.pdf"` {
		t.Fatalf("PDF: %d %v", r.Status, r.Header)
	}
	text := pdfText(t, r.Body)
	for _, want := range []string{"Credit note LR-CN-2026-000001", "Credit note for invoice LR-2026-000001", "EUR -142.12",
		"Refunded EUR -142.12 by refund on 2026-12-01"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	// The invoice itself, by number.
	r = c.do("GET", path+"?format=pdf&number=LR-2026-000001", nil, bearer(token)...)
	if r.Status != 200 || !strings.Contains(pdfText(t, r.Body), "Invoice LR-2026-000001") {
		t.Fatalf("the invoice's PDF: %d", r.Status)
	}
	// A flexible booking has no invoice until it is stayed: an empty list,
	// and no PDF.
	flex, flexToken := c.book(bookingBody())
	if docs := invoicesOf(t, c.do("GET", "/v1/reservations/"+flex+"/invoice", nil, bearer(flexToken)...)); len(docs) != 0 {
		t.Fatalf("a flexible booking's invoices %v", docs)
	}
	c.do("GET", "/v1/reservations/"+flex+"/invoice?format=pdf", nil, bearer(flexToken)...).Problem(t, 404, "not-found")
}

func testAdminKey() string { return strings.TrimPrefix(admin()[1], "Bearer ") }
