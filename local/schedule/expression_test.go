package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// friday is the instant most cases start from: Friday 27 November 2026,
// 17:52:30 UTC.
const friday = "2026-11-27T17:52:30Z"

func TestNext(t *testing.T) {
	tests := []struct {
		name, expr, from, want string // want "" for no firing
	}{
		// The examples of the EventBridge documentation.
		{"10:00 every day", "cron(0 10 * * ? *)", friday, "2026-11-28T10:00:00Z"},
		{"12:15 every day", "cron(15 12 * * ? *)", friday, "2026-11-28T12:15:00Z"},
		{"18:00 Monday to Friday, same day", "cron(0 18 ? * MON-FRI *)", friday, "2026-11-27T18:00:00Z"},
		{"18:00 Monday to Friday, from the weekend", "cron(0 18 ? * MON-FRI *)", "2026-11-28T09:03:00Z", "2026-11-30T18:00:00Z"},
		{"8:00 on the first of the month", "cron(0 8 1 * ? *)", friday, "2026-12-01T08:00:00Z"},
		{"every 15 minutes", "cron(0/15 * * * ? *)", friday, "2026-11-27T18:00:00Z"},
		{"every 10 minutes on weekdays, from Saturday", "cron(0/10 * ? * MON-FRI *)", "2026-11-28T09:03:00Z", "2026-11-30T00:00:00Z"},
		{"every 5 minutes in office hours", "cron(0/5 8-17 ? * MON-FRI *)", friday, "2026-11-27T17:55:00Z"},
		{"every 5 minutes in office hours, after hours on Friday", "cron(0/5 8-17 ? * MON-FRI *)", "2026-11-27T17:57:00Z", "2026-11-30T08:00:00Z"},
		{"9:00 on the first Monday", "cron(0 9 ? * 2#1 *)", friday, "2026-12-07T09:00:00Z"},

		// Strictly after: a firing at from is not next.
		{"at a firing time", "cron(0 10 * * ? *)", "2026-11-28T10:00:00Z", "2026-11-29T10:00:00Z"},
		{"a second before a firing", "cron(0 10 * * ? *)", "2026-11-28T09:59:59Z", "2026-11-28T10:00:00Z"},
		{"hour list", "cron(0 8,20 * * ? *)", friday, "2026-11-27T20:00:00Z"},
		{"range with an increment", "cron(5-30/10 * * * ? *)", friday, "2026-11-27T18:05:00Z"},
		{"*/n is from the field's first value", "cron(*/20 * * * ? *)", friday, "2026-11-27T18:00:00Z"},
		{"day increment skips a day the month lacks", "cron(0 0 1/10 * ? *)", friday, "2026-12-01T00:00:00Z"},

		// L, W and # in the day fields.
		{"last day of the month", "cron(0 0 L * ? *)", friday, "2026-11-30T00:00:00Z"},
		{"last day of February", "cron(0 0 L * ? *)", "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"},
		{"last day of February in a leap year", "cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"last Friday, today already past", "cron(15 10 ? * 6L *)", friday, "2026-12-25T10:15:00Z"},
		{"last Friday, today", "cron(15 10 ? * 6L *)", "2026-11-27T00:00:00Z", "2026-11-27T10:15:00Z"},
		{"last Friday by name", "cron(15 10 ? * FRIL *)", "2026-11-27T00:00:00Z", "2026-11-27T10:15:00Z"},
		{"L alone in day-of-week is Saturday", "cron(0 12 ? * L *)", friday, "2026-11-28T12:00:00Z"},
		{"15W on a Sunday moves to Monday", "cron(0 9 15W * ? *)", "2026-11-01T00:00:00Z", "2026-11-16T09:00:00Z"},
		{"15W on a Saturday moves to Friday", "cron(0 9 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T09:00:00Z"},
		{"15W on a weekday stays", "cron(0 9 15W * ? *)", "2026-12-01T00:00:00Z", "2026-12-15T09:00:00Z"},
		{"1W on a Saturday stays in the month", "cron(0 9 1W * ? *)", "2026-07-31T12:00:00Z", "2026-08-03T09:00:00Z"},
		{"31W on a Sunday stays in the month", "cron(0 9 31W * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T09:00:00Z"},
		{"31W skips a month of 30 days", "cron(0 9 31W * ? *)", "2026-06-01T00:00:00Z", "2026-07-31T09:00:00Z"},
		{"LW on a Monday", "cron(0 9 LW * ? *)", friday, "2026-11-30T09:00:00Z"},
		{"LW when the month ends on Sunday", "cron(0 9 LW * ? *)", "2027-01-01T00:00:00Z", "2027-01-29T09:00:00Z"},
		{"fifth Thursday skips a month with four", "cron(0 12 ? * 5#5 *)", friday, "2026-12-31T12:00:00Z"},
		{"second Tuesday by name", "cron(0 12 ? * TUE#2 *)", friday, "2026-12-08T12:00:00Z"},

		// Names, in either case.
		{"month and day names", "cron(30 6 ? JAN,JUL SUN *)", friday, "2027-01-03T06:30:00Z"},
		{"lower-case names", "cron(0 12 ? dec sat *)", friday, "2026-12-05T12:00:00Z"},
		{"month range by name", "cron(0 0 1 FEB-MAR ? *)", friday, "2027-02-01T00:00:00Z"},

		// Years.
		{"a later year", "cron(0 0 1 1 ? 2030)", friday, "2030-01-01T00:00:00Z"},
		{"years that are over", "cron(0 0 1 1 ? 2020-2025)", friday, ""},
		{"the last minute EventBridge knows", "cron(59 23 31 12 ? 2199)", friday, "2199-12-31T23:59:00Z"},
		{"nothing after 2199", "cron(0 0 * * ? *)", "2199-12-31T12:00:00Z", ""},
		{"from before 1970", "cron(0 0 1 1 ? *)", "1960-06-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		{"29 February only in leap years", "cron(0 0 29 2 ? *)", friday, "2028-02-29T00:00:00Z"},
		{"a day that never comes", "cron(0 0 30 2 ? *)", friday, ""},

		// Rates never anchored count from the Unix epoch.
		{"rate of minutes", "rate(5 minutes)", friday, "2026-11-27T17:55:00Z"},
		{"rate of one day", "rate(1 day)", friday, "2026-11-28T00:00:00Z"},
		{"rate at a firing time", "rate(1 hour)", "2026-11-27T17:00:00Z", "2026-11-27T18:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			got := e.Next(at(tt.from))
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("Next(%s) = %s, want no firing", tt.from, got)
				}
				return
			}
			if !got.Equal(at(tt.want)) || got.Location() != time.UTC {
				t.Fatalf("Next(%s) = %s, want %s", tt.from, got, tt.want)
			}
			if s := e.String(); s != tt.expr {
				t.Fatalf("String() = %q, want %q", s, tt.expr)
			}
		})
	}
}

// TestLatest checks the backward walk against the forward one: the last
// firing at or before a time is a firing, is not after it, and the next
// firing after it is after the time.
func TestLatest(t *testing.T) {
	tests := []struct {
		name, expr, at, want string
	}{
		{"daily, later that day", "cron(0 6 * * ? *)", friday, "2026-11-27T06:00:00Z"},
		{"daily, at the firing", "cron(0 6 * * ? *)", "2026-11-27T06:00:00Z", "2026-11-27T06:00:00Z"},
		{"weekdays, on a Sunday", "cron(0 18 ? * MON-FRI *)", "2026-11-29T12:00:00Z", "2026-11-27T18:00:00Z"},
		{"last day, early in the month", "cron(0 0 L * ? *)", "2026-12-05T00:00:00Z", "2026-11-30T00:00:00Z"},
		{"a year back", "cron(0 0 1 1 ? *)", friday, "2026-01-01T00:00:00Z"},
		{"before any firing", "cron(0 0 1 1 ? 2030)", friday, ""},
		{"rate", "rate(5 minutes)", friday, "2026-11-27T17:50:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got := e.latest(at(tt.at))
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("latest(%s) = %s, want none", tt.at, got)
				}
				return
			}
			if !got.Equal(at(tt.want)) {
				t.Fatalf("latest(%s) = %s, want %s", tt.at, got, tt.want)
			}
			if next := e.Next(got); !next.After(at(tt.at)) {
				t.Fatalf("Next(latest) = %s is not after %s: latest missed a firing", next, tt.at)
			}
		})
	}
}

func TestAnchored(t *testing.T) {
	start := at("2026-11-27T17:52:30Z").Add(700 * time.Millisecond)
	tests := []struct {
		name, expr string
		after      time.Time
		want       string
	}{
		{"first period after the start", "rate(5 minutes)", start, "2026-11-27T17:57:30Z"},
		{"counted in whole periods", "rate(5 minutes)", start.Add(12 * time.Minute), "2026-11-27T18:07:30Z"},
		{"before the start", "rate(1 hour)", start.Add(-90 * time.Minute), "2026-11-27T16:52:30Z"},
		{"days", "rate(2 days)", start, "2026-11-29T17:52:30Z"},
		{"cron ignores the anchor", "cron(0 18 * * ? *)", start, "2026-11-27T18:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Anchored(start).Next(tt.after); !got.Equal(at(tt.want)) {
				t.Fatalf("Next(%s) = %s, want %s", tt.after, got, tt.want)
			}
		})
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		name, expr string
		want       time.Duration
	}{
		{"minute", "rate(1 minute)", time.Minute},
		{"hours", "rate(12 hours)", 12 * time.Hour},
		{"days", "rate(7 days)", 7 * 24 * time.Hour},
		{"cron has none", "cron(0 6 * * ? *)", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Period(); got != tt.want {
				t.Fatalf("Period() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, expr string
		field      string // the field the error names
		reason     string // part of the reason
	}{
		{"both day fields set", "cron(0 10 * * MON *)", "", "cannot both be specified"},
		{"both day fields ?", "cron(0 10 ? * ? *)", "", "exactly one of them must be ?"},
		{"five fields", "cron(0 10 * * ?)", "", "six fields"},
		{"seven fields", "cron(0 0 10 * * ? *)", "", "six fields"},
		{"missing parenthesis", "cron(0 10 * * ? *", "", "closing parenthesis"},
		{"junk", "every 5 minutes", "", "want rate(value unit) or cron("},
		{"empty", "", "", "want rate(value unit)"},
		{"upper-case keyword", "CRON(0 10 * * ? *)", "", "want rate(value unit)"},

		{"plural unit for 1", "rate(1 minutes)", "unit", `singular "minute"`},
		{"singular unit above 1", "rate(5 minute)", "unit", `plural "minutes"`},
		{"plural hours for 1", "rate(1 hours)", "unit", `singular "hour"`},
		{"zero", "rate(0 minutes)", "value", "positive"},
		{"negative", "rate(-5 minutes)", "value", "not a positive whole number"},
		{"fraction", "rate(1.5 hours)", "value", "not a positive whole number"},
		{"huge", "rate(99999999999999999999 days)", "value", "more than"},
		{"unknown unit", "rate(2 weeks)", "unit", "not one of minute"},
		{"seconds", "rate(30 seconds)", "unit", "not one of minute"},
		{"no unit", "rate(5)", "", "two fields"},

		{"minute 60", "cron(60 10 * * ? *)", "minutes", "60 is out of range 0-59"},
		{"hour 24", "cron(0 24 * * ? *)", "hours", "24 is out of range 0-23"},
		{"day 32", "cron(0 0 32 * ? *)", "day-of-month", "32 is out of range 1-31"},
		{"day 0", "cron(0 0 0 * ? *)", "day-of-month", "0 is out of range 1-31"},
		{"month 13", "cron(0 0 ? 13 MON *)", "month", "13 is out of range 1-12"},
		{"unknown month name", "cron(0 0 ? FOO MON *)", "month", "nor a name JAN-DEC"},
		{"weekday 8", "cron(0 0 ? * 8 *)", "day-of-week", "8 is out of range 1-7"},
		{"weekday 0 (Sunday is 1)", "cron(0 0 ? * 0 *)", "day-of-week", "0 is out of range 1-7"},
		{"unknown day name", "cron(0 0 ? * MONDAY *)", "day-of-week", "nor a name SUN-SAT"},
		{"year 1969", "cron(0 0 1 1 ? 1969)", "year", "out of range 1970-2199"},
		{"year 2200", "cron(0 0 1 1 ? 2200)", "year", "out of range 1970-2199"},
		{"backwards range", "cron(30-10 * * * ? *)", "minutes", "runs backwards"},
		{"zero increment", "cron(0/0 * * * ? *)", "minutes", "increment"},
		{"increment too large", "cron(0/60 * * * ? *)", "minutes", "increment"},
		{"empty list item", "cron(0 0 1,,2 * ? *)", "day-of-month", "empty item"},
		{"? in minutes", "cron(? 0 1 * ? *)", "minutes", "? is allowed only in"},
		{"letters in hours", "cron(0 ten * * ? *)", "hours", "not a number"},
		{"/ in day-of-week", "cron(0 0 ? * 1/2 *)", "day-of-week", "/ wildcard is not allowed"},
		{"# beyond the fifth week", "cron(0 0 ? * MON#6 *)", "day-of-week", "must be 1-5"},
		{"two # expressions", "cron(0 0 ? * 2#1,6#3 *)", "day-of-week", "holds that one expression"},
		{"L on a range", "cron(0 0 ? * 2-6L *)", "day-of-week", "L follows a single day"},
		{"W on a list", "cron(0 0 1,15W * ? *)", "day-of-month", "W follows a single day"},
		{"L with an offset", "cron(0 0 L-2 * ? *)", "day-of-month", "L and W stand alone"},
		{"W on day 32", "cron(0 0 32W * ? *)", "day-of-month", "out of range 1-31"},
		{"W in month", "cron(0 0 1 W ? *)", "month", "nor a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.expr, e)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Field != tt.field || se.Expr != tt.expr {
				t.Fatalf("error names field %q of %q, want %q: %v", se.Field, se.Expr, tt.field, err)
			}
			if !strings.Contains(se.Reason, tt.reason) {
				t.Fatalf("reason %q does not say %q", se.Reason, tt.reason)
			}
			if tt.field != "" && !strings.Contains(err.Error(), tt.field+" field") {
				t.Fatalf("message %q does not name the field", err)
			}
		})
	}
}
