package catalog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/catalog"
)

const small = `
days: 40
hotels:
  - slug: porto-test
    name: Porto Test
    city: Porto
    country: PT
    timezone: Europe/Lisbon
    currency: EUR
    seasons:
      - {months: [12], percent: 150}
    room_types:
      - code: TWIN
        name: Twin
        max_adults: 2
        max_children: 0
        units: 4
        rate_plans:
          - {code: TWIN-FLEX, name: Flexible, refundable: true, free_cancellation_hours: 24, penalty_percent: 10, amount_cents: 10001}
`

// Bad files are refused with an error that names the entry at fault.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"empty"}},
		{"not yaml", "hotels: [", []string{"yaml"}},
		{"unknown field", strings.Replace(small, "units: 4", "units: 4\n        colour: blue", 1), []string{"line 18", "colour"}},
		{"wrong type", strings.Replace(small, "units: 4", "units: four", 1), []string{"line 17", "four"}},
		{"bad hotel", strings.Replace(small, "country: PT", "country: Portugal", 1), []string{"hotels[0] (porto-test)", "country"}},
		{"bad room type", strings.Replace(small, "max_adults: 2", "max_adults: 0", 1), []string{"hotels[0] (porto-test) room_types[0] (TWIN)", "max_adults"}},
		{"rate plan without refundable", strings.Replace(small, "refundable: true, ", "", 1), []string{"rate_plans[0] (TWIN-FLEX)", "refundable is required"}},
		{"negative price", strings.Replace(small, "10001", "-1", 1), []string{"rate_plans[0] (TWIN-FLEX)", "amount_cents"}},
		{"bad month", strings.Replace(small, "[12]", "[13]", 1), []string{"hotels[0] (porto-test) seasons[0]", "month 13"}},
		{"two hotels one slug", small + strings.SplitN(small, "hotels:\n", 2)[1], []string{"hotels[1] (porto-test)", "twice"}},
		{"no hotels", "days: 3\nhotels: []\n", []string{"hotels: the catalogue has none"}},
		{"bad tax", strings.Replace(small, "    seasons:", "    taxes:\n      - {code: vat, name: VAT, kind: percent, percent: \"106\", valid_from: 2027-02-30}\n    seasons:", 1),
			[]string{"hotels[0] (porto-test)", "taxes[0].percent", "taxes[0].valid_from"}},
		{"too many days", strings.Replace(small, "days: 40", "days: 9000", 1), []string{"days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.Decode(strings.NewReader(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// JSON is read as well as YAML, to the same catalogue.
func TestDecodeJSON(t *testing.T) {
	y, err := catalog.Decode(strings.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	j, err := catalog.Decode(strings.NewReader(`{"days": 40, "hotels": [{"slug": "porto-test", "name": "Porto Test", "city": "Porto",
		"country": "PT", "timezone": "Europe/Lisbon", "currency": "EUR", "seasons": [{"months": [12], "percent": 150}],
		"room_types": [{"code": "TWIN", "name": "Twin", "max_adults": 2, "max_children": 0, "units": 4,
		"rate_plans": [{"code": "TWIN-FLEX", "name": "Flexible", "refundable": true, "free_cancellation_hours": 24,
		"penalty_percent": 10, "amount_cents": 10001}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if y.Hotels[0].RoomTypes[0].RatePlans[0].AmountCents != j.Hotels[0].RoomTypes[0].RatePlans[0].AmountCents ||
		y.Hotels[0].Seasons[0].Percent != j.Hotels[0].Seasons[0].Percent || j.Days != 40 {
		t.Fatalf("yaml %+v\njson %+v", y, j)
	}
}

// Applied twice, a catalogue makes its entities once and writes the same
// inventory and prices; the season's price is rounded down.
func TestApplyTwice(t *testing.T) {
	st := testenv.Store(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	svc := booking.NewService(st, func() time.Time { return now })
	taxed := strings.Replace(small, "    seasons:", "    taxes:\n      - {code: vat, name: IVA, kind: percent, vat: true, percent: \"6\", included: true}\n"+
		"      - {code: city-tax, name: Tourist tax, kind: per_person_night, amount_cents: 200, pay_at_hotel: true, max_nights: 7}\n    seasons:", 1)
	cat, err := catalog.Decode(strings.NewReader(taxed))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := catalog.Apply(ctx, catalog.Direct(svc), cat, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Created) != 3 || len(first.Existing) != 0 || first.InventoryNights != 40 || first.RateNights != 40 || first.Taxes != 2 {
		t.Fatalf("first: %+v", first)
	}
	snapshot := func() string {
		var s string
		err := st.Pool().QueryRow(ctx, `SELECT concat_ws('|',
			(SELECT string_agg(concat_ws(',', slug, name, city, country, timezone, currency), ';' ORDER BY slug) FROM hotels),
			(SELECT string_agg(concat_ws(',', code, name, max_adults, max_children), ';' ORDER BY code) FROM room_types),
			(SELECT string_agg(concat_ws(',', code, name, refundable, free_cancellation_hours, penalty_percent), ';' ORDER BY code) FROM rate_plans),
			(SELECT string_agg(concat_ws(',', night, units, sold), ';' ORDER BY night) FROM inventory),
			(SELECT string_agg(concat_ws(',', night, amount_cents), ';' ORDER BY night) FROM rates),
			(SELECT string_agg(concat_ws(',', position, code, kind, percent, amount_cents, included, pay_at_hotel, max_nights), ';' ORDER BY position) FROM hotel_taxes),
			(SELECT count(*) FROM audit_events WHERE action = 'taxes.set'))`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := snapshot()
	second, err := catalog.Apply(ctx, catalog.Direct(svc), cat, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Created) != 0 || len(second.Existing) != 3 || len(second.Differ) != 0 {
		t.Fatalf("second: %+v", second)
	}
	if after := snapshot(); after != before {
		t.Fatalf("the second run changed the catalogue:\nbefore %s\nafter  %s", before, after)
	}
	// 10001 at 150 % in December: 15001.5, rounded down.
	var nov, dec int64
	if err := st.Pool().QueryRow(ctx, `SELECT (SELECT amount_cents FROM rates WHERE night = '2026-11-30'),
		(SELECT amount_cents FROM rates WHERE night = '2026-12-01')`).Scan(&nov, &dec); err != nil {
		t.Fatal(err)
	}
	if nov != 10001 || dec != 15001 {
		t.Fatalf("prices 30 Nov %d, 1 Dec %d; want 10001, 15001", nov, dec)
	}
}

// Months cuts a range at each first of the month.
func TestMonths(t *testing.T) {
	d := func(s string) booking.Date { v, _ := booking.ParseDate(s); return v }
	got := catalog.Months(booking.DateRange{From: d("2026-11-20"), To: d("2027-01-02")})
	want := []string{"2026-11-20/2026-12-01", "2026-12-01/2027-01-01", "2027-01-01/2027-01-02"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i, r := range got {
		if r.From.String()+"/"+r.To.String() != want[i] {
			t.Errorf("piece %d: %s/%s, want %s", i, r.From, r.To, want[i])
		}
	}
}

// An entity that exists with other values than the file's is left as it
// is, and each field that differs is named.
func TestApplyNamesDifferences(t *testing.T) {
	st := testenv.Store(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	svc := booking.NewService(st, func() time.Time { return now })
	ctx := context.Background()
	cat, err := catalog.Decode(strings.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Apply(ctx, catalog.Direct(svc), cat, now); err != nil {
		t.Fatal(err)
	}
	edited := strings.NewReplacer("name: Porto Test", "name: Porto Renamed", "max_adults: 2", "max_adults: 3",
		"penalty_percent: 10", "penalty_percent: 20").Replace(small)
	cat, err = catalog.Decode(strings.NewReader(edited))
	if err != nil {
		t.Fatal(err)
	}
	res, err := catalog.Apply(ctx, catalog.Direct(svc), cat, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"hotel porto-test: name is Porto Test in the stage, Porto Renamed in the file",
		"room type porto-test/TWIN: max_adults is 2 in the stage, 3 in the file",
		"rate plan porto-test/TWIN-FLEX: penalty_percent is 10 in the stage, 20 in the file",
	}
	if strings.Join(res.Differ, "\n") != strings.Join(want, "\n") {
		t.Fatalf("differences:\n%s\nwant:\n%s", strings.Join(res.Differ, "\n"), strings.Join(want, "\n"))
	}
	h, err := svc.Hotel(ctx, "porto-test")
	if err != nil || h.Name != "Porto Test" {
		t.Fatalf("the hotel was changed: %+v %v", h.Hotel, err)
	}
}
