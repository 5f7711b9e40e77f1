package load

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCompareInventory(t *testing.T) {
	inv := func(rt int64, night string, units, sold int) inventoryRow {
		return inventoryRow{roomType: rt, label: "h/RT", night: day(night), units: units, sold: sold}
	}
	stay := func(rt int64, in, out string, rooms int) stayRow {
		return stayRow{roomType: rt, checkIn: day(in), checkOut: day(out), rooms: rooms}
	}
	tests := []struct {
		name                 string
		inv                  []inventoryRow
		stays                []stayRow
		mismatches, oversold int
		sold, booked         int
	}{
		{name: "stays over several nights and room types add up",
			inv: []inventoryRow{inv(1, "2027-03-01", 5, 3), inv(1, "2027-03-02", 5, 2), inv(1, "2027-03-03", 5, 0), inv(2, "2027-03-01", 2, 2)},
			stays: []stayRow{stay(1, "2027-03-01", "2027-03-03", 2), stay(1, "2027-03-01", "2027-03-02", 1),
				stay(2, "2027-03-01", "2027-03-02", 2)},
			sold: 7, booked: 7},
		{name: "check-out night is not taken",
			inv:   []inventoryRow{inv(1, "2027-03-01", 5, 1), inv(1, "2027-03-02", 5, 1)},
			stays: []stayRow{stay(1, "2027-03-01", "2027-03-02", 1)},
			sold:  2, booked: 1, mismatches: 1},
		{name: "sold beyond units, though the bookings agree",
			inv:   []inventoryRow{inv(1, "2027-03-01", 1, 2)},
			stays: []stayRow{stay(1, "2027-03-01", "2027-03-02", 2)},
			sold:  2, booked: 2, oversold: 1},
		{name: "a night booked with no inventory row",
			inv:   []inventoryRow{inv(1, "2027-03-01", 3, 1)},
			stays: []stayRow{stay(1, "2027-03-01", "2027-03-03", 1)},
			sold:  1, booked: 2, mismatches: 1},
		{name: "a booking of another room type is not counted here",
			inv:   []inventoryRow{inv(1, "2027-03-01", 3, 0), inv(2, "2027-03-01", 3, 1)},
			stays: []stayRow{stay(1, "2027-03-01", "2027-03-02", 1)},
			sold:  1, booked: 1, mismatches: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compareInventory(tt.inv, tt.stays)
			if c.Mismatches != tt.mismatches || c.Oversold != tt.oversold || c.Sold != tt.sold || c.Booked != tt.booked || c.Nights != len(tt.inv) {
				t.Fatalf("got %+v", c)
			}
			if ok := len(c.Failures()) == 0; ok != (tt.mismatches == 0 && tt.oversold == 0) {
				t.Fatalf("failures %q for %+v", c.Failures(), c)
			}
			if len(c.Details) != min(maxDetails, tt.mismatches+tt.oversold) {
				t.Fatalf("details %q", c.Details)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		code uint16
		body string
		want class
	}{
		{"no answer", 0, "", classTransport},
		{"created", 201, `{"reservation":{}}`, classOK},
		{"search", 200, `{"offers":[]}`, classOK},
		{"sold out", 409, `{"type":"https://innkeeper.dev/problems/sold-out","status":409}`, classSoldOut},
		{"no room for one more hold", 409, `{"type":"https://innkeeper.dev/problems/hold-capacity","status":409}`, classSoldOut},
		{"another conflict", 409, `{"type":"https://innkeeper.dev/problems/no-rate","status":409}`, classUnexpected},
		{"in flight", 409, `{"type":"https://innkeeper.dev/problems/idempotency-in-flight"}`, classUnexpected},
		{"invalid", 422, `{"type":"https://innkeeper.dev/problems/validation"}`, classUnprocessable},
		{"rate limited", 429, ``, classRateLimited},
		{"gateway", 503, `{"message":"Service Unavailable"}`, classServer},
		{"not found", 404, `{}`, classUnexpected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(&vegeta.Result{Code: tt.code, Body: []byte(tt.body)}); got != tt.want {
				t.Fatalf("class %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTallyFinish(t *testing.T) {
	tl := newTally("step 1", 10, 4)
	start := time.Now()
	for i, code := range []uint16{200, 200, 201, 409, 503, 0} {
		body := ""
		if code == 409 {
			body = `{"type":"` + soldOutType + `"}`
		}
		r := &vegeta.Result{Code: code, Body: []byte(body), Method: "GET", URL: "http://h/v1/x?y=1",
			Timestamp: start.Add(time.Duration(i) * 100 * time.Millisecond), Latency: time.Duration(i+1) * time.Millisecond}
		if code == 0 {
			r.Error = "dial tcp: connection refused"
		}
		tl.add(r, classify(r))
	}
	s := tl.finish()
	if s.Requests != 6 || s.OK != 3 || s.SoldOut != 1 || s.ServerErrors != 1 || s.TransportErrors != 1 || s.ErrorCount() != 2 {
		t.Fatalf("%+v", s)
	}
	// Four answered as intended over 0.5 s + the last one's 6 ms.
	if s.Wall != 506*time.Millisecond || s.Throughput < 7.8 || s.Throughput > 8 {
		t.Fatalf("wall %v, throughput %.2f", s.Wall, s.Throughput)
	}
	if !slices.Contains(s.Errors, "GET /v1/x: 503 ") || !slices.Contains(s.Errors, "dial tcp: connection refused") {
		t.Fatalf("errors %q", s.Errors)
	}
}

func TestPrint(t *testing.T) {
	step := func(name string, rate int, p50 time.Duration) Stats {
		return Stats{Name: name, TargetRate: rate, MaxWorkers: 64, Wall: 10 * time.Second, Requests: rate * 10,
			Rate: float64(rate), Throughput: float64(rate) - 0.5, P50: p50, P95: 4 * p50, P99: 9 * p50, Max: 20 * p50,
			OK: rate*10 - 5, SoldOut: 5, Codes: map[int]int{200: rate*10 - 5, 409: 5}}
	}
	total := step("total", 150, 3*time.Millisecond)
	total.TargetRate, total.Wall, total.Rate, total.Throughput = 0, 20*time.Second, 75, 74.5
	mixed := Report{Name: "mixed", URL: "http://127.0.0.1:3000",
		Steps: []Stats{step("step 1", 50, time.Millisecond), step("step 2", 100, 2*time.Millisecond)},
		Total: total,
		Histogram: []Bucket{{From: 0, To: time.Millisecond, Count: 10}, {From: time.Millisecond, To: 2 * time.Millisecond},
			{From: time.Second, Count: 1}},
		Check: &InventoryCheck{Nights: 720, Sold: 300, Booked: 300, RunBooked: 40, RunFound: 40, RunRoomNights: 120},
	}
	failed := mixed
	failed.Total.OK, failed.Total.ServerErrors, failed.Total.Codes = failed.Total.OK-2, 2, map[int]int{200: 1488, 409: 10, 503: 2}
	failed.Total.Errors = []string{"GET /v1/hotels/x/availability: 503 {}"}
	failed.Check = &InventoryCheck{Nights: 2, Sold: 3, Booked: 2, Mismatches: 1, RunBooked: 1, RunFound: 1,
		Details: []string{"h/RT 2027-03-01: sold 3, rooms booked 2"}}
	flash := Report{Name: "flash sale", URL: "http://127.0.0.1:3000",
		Total: Stats{Name: "flash sale", MaxWorkers: 500, Wall: 2 * time.Second, Requests: 500, Rate: 250, Throughput: 250,
			P50: time.Second, P95: 2 * time.Second, P99: 2 * time.Second, Max: 2 * time.Second, OK: 10, SoldOut: 490,
			Codes: map[int]int{201: 10, 409: 490}},
		Flash: &Flash{Hotel: "flash-sale-1", RoomType: "FLASH", Night: "2027-03-01", Clients: 500, Units: 10,
			Created: 10, SoldOut: 490, UnitsInDB: 10, SoldInDB: 10, BookedInDB: 10},
	}
	var b bytes.Buffer
	for _, r := range []Report{mixed, failed, flash} {
		if err := Print(&b, r); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "print.golden")
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Fatalf("Print wrote:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	if out := b.String(); strings.Count(out, "PASS\n") != 2 || !strings.Contains(out, "FAIL: 2 answers were 5xx; 1 room-type nights have sold ≠ rooms booked") {
		t.Fatalf("verdicts:\n%s", out)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{URL: "http://127.0.0.1:3000", DatabaseURL: "postgres://x", AdminKey: "k"}.withDefaults()
	if err := ok.validate(true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"no URL scheme", func(c *Config) { c.URL = "127.0.0.1:3000" }},
		{"no database", func(c *Config) { c.DatabaseURL = "" }},
		{"no admin key", func(c *Config) { c.AdminKey = "" }},
		{"falling rates", func(c *Config) { c.Rates = []int{100, 50} }},
		{"units for everyone", func(c *Config) { c.FlashClients, c.FlashUnits = 10, 10 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			if err := c.validate(true); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// The mixed run's bookings pay with the test card and its holds take
// none, as the API with payments requires.
func TestMixedBookingsPayHoldsDoNot(t *testing.T) {
	m := &mix{base: "http://api.test", every: 1, days: 5, run: "t", first: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		rooms: []roomType{{hotel: "lisbon-riverside", code: "STD", maxAdults: 2, ratePlans: []string{"STD-FLEX"}}}}
	holds, paid := 0, 0
	for range 40 {
		var tg vegeta.Target
		if err := m.target(&tg); err != nil {
			t.Fatal(err)
		}
		var b map[string]any
		if err := json.Unmarshal(tg.Body, &b); err != nil || tg.Method != http.MethodPost {
			t.Fatalf("%s %s: %v", tg.Method, tg.Body, err)
		}
		pm, _ := b["payment"].(map[string]any)
		switch {
		case b["hold"] == true && pm != nil:
			t.Errorf("a hold with a payment: %s", tg.Body)
		case b["hold"] == true:
			holds++
		case pm["payment_method"] != TestCard:
			t.Errorf("a booking without the test card: %s", tg.Body)
		default:
			paid++
		}
	}
	if holds == 0 || paid == 0 {
		t.Errorf("%d holds, %d paid bookings: want both", holds, paid)
	}
}
