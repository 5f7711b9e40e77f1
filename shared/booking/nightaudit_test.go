package booking_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"innkeeper/shared/booking"
)

func TestNightAuditDueDates(t *testing.T) {
	utc := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		tz     string
		cutoff string
		last   string
		now    time.Time
		want   []string
	}{
		{"never audited, before the cutoff: the day before yesterday", "Europe/Lisbon", "03:00", "", utc(10, 2, 59), []string{"2026-12-08"}},
		{"never audited, at the cutoff: yesterday only", "Europe/Lisbon", "03:00", "", utc(10, 3, 0), []string{"2026-12-09"}},
		{"audited up to yesterday: nothing", "Europe/Lisbon", "03:00", "2026-12-09", utc(10, 23, 0), nil},
		{"a day missed is caught up", "Europe/Lisbon", "03:00", "2026-12-07", utc(10, 4, 0), []string{"2026-12-08", "2026-12-09"}},
		{"a long gap: the last seven days only", "Europe/Lisbon", "03:00", "2026-11-01", utc(10, 4, 0),
			[]string{"2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07", "2026-12-08", "2026-12-09"}},
		{"Tokyo's cutoff is nine hours earlier", "Asia/Tokyo", "03:00", "2026-12-08", utc(9, 18, 0), []string{"2026-12-09"}},
		{"New York's five hours later", "America/New_York", "03:00", "2026-12-08", utc(10, 7, 59), nil},
		{"New York after its cutoff", "America/New_York", "03:00", "2026-12-08", utc(10, 8, 0), []string{"2026-12-09"}},
		{"a late cutoff", "Europe/Lisbon", "23:30", "2026-12-08", utc(10, 23, 29), nil},
		{"a late cutoff passed", "Europe/Lisbon", "23:30", "2026-12-08", utc(10, 23, 30), []string{"2026-12-09"}},
		{"no cutoff set: 03:00", "Europe/Lisbon", "", "2026-12-08", utc(10, 3, 0), []string{"2026-12-09"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := booking.NightAuditHotel{Hotel: booking.Hotel{Timezone: tt.tz, NightAuditTime: tt.cutoff}}
			if tt.last != "" {
				h.Last = booking.MustDate(tt.last)
			}
			var got []string
			for _, d := range h.DueDates(tt.now) {
				got = append(got, d.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("due %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCheckNightAuditQuery(t *testing.T) {
	today := booking.MustDate("2026-12-10")
	d := booking.MustDate
	tests := []struct {
		name     string
		from, to string
		want     [2]string
		field    string // the field refused, if any
	}{
		{name: "neither: 30 days to yesterday", want: [2]string{"2026-11-10", "2026-12-09"}},
		{name: "from only", from: "2026-12-01", want: [2]string{"2026-12-01", "2026-12-09"}},
		{name: "from after yesterday", from: "2026-12-20", want: [2]string{"2026-12-20", "2026-12-20"}},
		{name: "to only", to: "2026-06-30", want: [2]string{"2026-06-01", "2026-06-30"}},
		{name: "one day", from: "2026-12-05", to: "2026-12-05", want: [2]string{"2026-12-05", "2026-12-05"}},
		{name: "backwards", from: "2026-12-05", to: "2026-12-04", field: "from"},
		{name: "92 days", from: "2026-01-01", to: "2026-04-02", want: [2]string{"2026-01-01", "2026-04-02"}},
		{name: "93 days", from: "2026-01-01", to: "2026-04-03", field: "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := booking.NightAuditQuery{Hotel: "h"}
			if tt.from != "" {
				q.From = d(tt.from)
			}
			if tt.to != "" {
				q.To = d(tt.to)
			}
			got, err := booking.CheckNightAuditQuery(q, today)
			if tt.field != "" {
				var v *booking.ValidationError
				if !errors.As(err, &v) || v.Fields[tt.field] == "" {
					t.Fatalf("err %v; want a refusal of %s", err, tt.field)
				}
				return
			}
			if err != nil || got.From.String() != tt.want[0] || got.To.String() != tt.want[1] {
				t.Fatalf("%s–%s, %v; want %s–%s", got.From, got.To, err, tt.want[0], tt.want[1])
			}
		})
	}
}
