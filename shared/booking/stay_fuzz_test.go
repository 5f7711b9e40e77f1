package booking

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseDate checks ParseDate and the JSON form of a Date: no input
// panics; a date that parses is a set Date that prints as exactly the
// text it came from and parses back to itself; one that does not parse
// is an error with the zero Date, which the JSON decoder refuses too.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2027-03-01", "2028-02-29", "2027-02-29", "2027-04-31", "2027-3-1", "2027-03-01T00:00:00Z",
		"", "tomorrow!!", "0000-01-01", "0001-01-01", "9999-12-31", "+027-01-01", "-027-01-01",
		"2027-00-10", "2027-13-10", "2027-01-00", "2027-01-32", "２０２７-01-01", "2027-01-1\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		quoted, _ := json.Marshal(s)
		var j Date
		jerr := j.UnmarshalJSON(quoted)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) failed (%v) but returned %v", s, err, d)
			}
			if jerr == nil {
				t.Fatalf("UnmarshalJSON(%s) accepted what ParseDate refuses: %v", quoted, err)
			}
			return
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q) gave the zero Date, which means unset", s)
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		again, err := ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
		if jerr != nil || j != d {
			t.Fatalf("UnmarshalJSON(%s) = %v, %v; ParseDate gave %v", quoted, j, jerr, d)
		}
		out, err := d.MarshalJSON()
		if err != nil || string(out) != string(quoted) {
			t.Fatalf("MarshalJSON of %q = %s, %v", s, out, err)
		}
	})
}

// stayFields are the fields a stay's ValidationError may name.
var stayFields = map[string]bool{"check_in": true, "check_out": true, "adults": true, "children": true, "rooms": true}

// FuzzStay parses a stay as the API does (dates as YYYY-MM-DD, adults,
// children and rooms as numbers) and validates it: no input panics; the
// answer is nil or a ValidationError that names only the stay's fields,
// and names every date that did not parse; a valid stay keeps every limit
// and lists exactly its nights.
func FuzzStay(f *testing.F) {
	f.Add("2026-12-10", "2026-12-12", 2, 0, 1)
	f.Add("2026-12-01", "2026-12-31", 1, 40, 1)
	f.Add("2026-11-30", "2026-12-02", 1, 0, 1)
	f.Add("2026-12-10", "2026-12-10", 1, 0, 1)
	f.Add("2026-12-10", "2027-01-10", 1, 0, 1)
	f.Add("2028-06-02", "2028-06-03", 1, 0, 1)
	f.Add("2026-12-10", "2026-12-11", 1, 0, 2)
	f.Add("2026-12-10", "2026-12-11", 41, -1, 10)
	f.Add("", "", 0, 0, 0)
	f.Add("2026-02-30", "x", 2, 0, 1)
	f.Add("0001-01-01", "9999-12-31", -9223372036854775808, 9223372036854775807, 9223372036854775807)
	today := MustDate("2026-12-01")
	rt := RoomType{Code: "DBL", MaxAdults: 2, MaxChildren: 1}
	f.Fuzz(func(t *testing.T, checkIn, checkOut string, adults, children, rooms int) {
		ci, ciErr := ParseDate(checkIn)
		co, coErr := ParseDate(checkOut)
		s := Stay{CheckIn: ci, CheckOut: co, Adults: adults, Children: children, Rooms: rooms}
		err := s.Validate(today)
		if err != nil {
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Fields) == 0 {
				t.Fatalf("Validate(%+v) = %T %v, want a ValidationError with fields", s, err, err)
			}
			for field := range v.Fields {
				if !stayFields[field] {
					t.Fatalf("ValidationError names %q, not a field of a stay: %v", field, v)
				}
			}
			if _, ok := v.Fields["check_in"]; ciErr != nil && !ok {
				t.Fatalf("check_in %q does not parse, yet the error does not name it: %v", checkIn, v)
			}
			if _, ok := v.Fields["check_out"]; coErr != nil && !ok {
				t.Fatalf("check_out %q does not parse, yet the error does not name it: %v", checkOut, v)
			}
			return
		}
		if ciErr != nil || coErr != nil {
			t.Fatalf("a stay with unparsed dates (%q, %q) is valid", checkIn, checkOut)
		}
		n := s.Nights()
		switch {
		case n < 1 || n > MaxNights:
			t.Fatalf("valid stay of %d nights", n)
		case ci.Before(today) || ci.After(today.AddMonths(MaxMonthsAhead)):
			t.Fatalf("valid stay from %v, today is %v", ci, today)
		case adults < 1 || adults > MaxGuests || children < 0 || children > MaxGuests || rooms < 1 || rooms > MaxRooms || adults < rooms:
			t.Fatalf("valid stay with %d adults, %d children, %d rooms", adults, children, rooms)
		}
		nights := s.Dates()
		if len(nights) != n || nights[0] != ci || nights[n-1].AddDays(1) != co {
			t.Fatalf("Dates() of %v–%v = %v", ci, co, nights)
		}
		if !s.Fits(rt) {
			var v *ValidationError
			if !errors.As(s.occupancyError(rt), &v) || len(v.Fields) == 0 {
				t.Fatalf("%+v does not fit %+v, yet occupancyError names no field", s, rt)
			}
		}
	})
}
