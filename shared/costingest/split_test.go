package costingest_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/costingest"
	"innkeeper/shared/finance"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/logging"
	"innkeeper/shared/pricing"
	"innkeeper/shared/store"
	"innkeeper/shared/topology"
)

// booked is a booking through the API: its start line, its end line
// (hotel, reservation, one email) and the platform's REPORT line.
var booked = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

const bookingID = "5d6e7f80-0001-4c2a-8b3c-00000000b00c"

func bookingLines() (attribution, report []lambdalog.LogLine) {
	attribution = []lambdalog.LogLine{
		{ID: "ev-start", Time: booked.Add(time.Millisecond), Message: `{"level":"INFO","msg":"invocation","phase":"start","request_id":"` + bookingID +
			`","function":"api","trigger":"POST /v1/reservations","trigger_kind":"http","bytes_in":900,"emails":0}`},
		{ID: "ev-end", Time: booked.Add(40 * time.Millisecond), Message: `{"level":"INFO","msg":"invocation","phase":"end","request_id":"` + bookingID +
			`","function":"api","trigger":"POST /v1/reservations","trigger_kind":"http","bytes_in":900,"emails":1,` +
			`"hotel":"lisbon-riverside","reservations":["INK-SPL1T1"],"client":"c-1"}`},
	}
	// CloudWatch's event ids: a redelivered batch carries the same.
	report = []lambdalog.LogLine{{ID: "ev-report", Time: booked.Add(41 * time.Millisecond), Message: lambdalog.Report{
		RequestID: bookingID, Duration: 40 * time.Millisecond, BilledDuration: 40 * time.Millisecond,
		MemorySizeMB: 512, MaxMemoryUsedMB: 40}.String()}}
	return attribution, report
}

func deliver(t *testing.T, in *costingest.Ingester, function string, lines []lambdalog.LogLine) costingest.Result {
	t.Helper()
	ev, err := lambdalog.EncodeSubscription("/aws/lambda/innkeeper-local-"+function, "2026/11/02/[$LATEST]x", lines)
	if err != nil {
		t.Fatal(err)
	}
	res, err := in.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type row struct {
	attempt           int
	attribution       string
	trigger, hotel    string
	reservations      string
	nanos, apigw, ses int64
	// logs is the log ingestion line, which counts the bytes of the
	// lines delivered with the REPORT line only.
	logs int64
}

func ledger(t *testing.T, st *store.Store, requestID string) []row {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `
		SELECT attempt, attribution, coalesce(trigger, ''), coalesce(hotel, ''), array_to_string(reservations, ','), cost_nanos,
			(SELECT coalesce(sum((i->>'amount')::numeric * 1000000000)::bigint, 0) FROM jsonb_array_elements(breakdown) i WHERE i->>'line' = 'apigateway'),
			(SELECT coalesce(sum((i->>'amount')::numeric * 1000000000)::bigint, 0) FROM jsonb_array_elements(breakdown) i WHERE i->>'line' = 'ses'),
			(SELECT coalesce(sum((i->>'amount')::numeric * 1000000000)::bigint, 0) FROM jsonb_array_elements(breakdown) i WHERE i->>'line' = 'logs')
		FROM invocation_costs WHERE request_id = $1 ORDER BY attempt`, requestID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.attempt, &r.attribution, &r.trigger, &r.hotel, &r.reservations, &r.nanos, &r.apigw, &r.ses, &r.logs); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func newIngester(t *testing.T) (*costingest.Ingester, *store.Store) {
	t.Helper()
	st := testenv.Store(t)
	in, err := costingest.New(topology.Innkeeper, "eu-west-1", nil, st, io.Discard, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	return in, st
}

// The two halves of one booking come in separate deliveries, in either
// order, with another delivery, logged three hours later, between them:
// the ledger ends with one row, attributed by the end line, with the API
// Gateway and SES charges, and the same cost as when both halves come
// together but for log ingestion, which counts the lines delivered with
// the REPORT line.
func TestSplitDeliveryIsJoined(t *testing.T) {
	attribution, report := bookingLines()
	later := []lambdalog.LogLine{{Time: booked.Add(3 * time.Hour), Message: lambdalog.Report{
		RequestID: "later-1", Duration: 5 * time.Millisecond, BilledDuration: 5 * time.Millisecond, MemorySizeMB: 512}.String()}}

	together, st0 := newIngester(t)
	deliver(t, together, "api", append(append([]lambdalog.LogLine{}, attribution...), report...))
	whole := ledger(t, st0, bookingID)
	if len(whole) != 1 || whole[0].attribution != pricing.AttributionEnd || whole[0].apigw <= 0 || whole[0].ses <= 0 {
		t.Fatalf("one delivery: %+v", whole)
	}

	tests := []struct {
		name          string
		first, second []lambdalog.LogLine
		afterFirst    []row
	}{
		{name: "REPORT first", first: report, second: attribution,
			// Priced at once, as a direct invocation, until the rest comes.
			afterFirst: []row{{attempt: 1, attribution: pricing.AttributionNone}}},
		{name: "attribution first", first: attribution, second: report},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, st := newIngester(t)
			deliver(t, in, "api", tt.first)
			got := ledger(t, st, bookingID)
			if len(got) != len(tt.afterFirst) || (len(got) == 1 && (got[0].attribution != tt.afterFirst[0].attribution || got[0].apigw != 0 || got[0].ses != 0)) {
				t.Fatalf("after the first half: %+v, want %+v", got, tt.afterFirst)
			}
			deliver(t, in, "api", later)
			res := deliver(t, in, "api", tt.second)
			if res.Inserted != 1 {
				t.Errorf("second half wrote %d rows, want 1", res.Inserted)
			}
			got = ledger(t, st, bookingID)
			if len(got) != 1 || got[0].logs <= 0 {
				t.Fatalf("ledger = %+v, want one row with its REPORT's log bytes", got)
			}
			want := row{attempt: 1, attribution: pricing.AttributionEnd, trigger: "POST /v1/reservations",
				hotel: "lisbon-riverside", reservations: "INK-SPL1T1", apigw: whole[0].apigw, ses: whole[0].ses,
				logs: got[0].logs, nanos: whole[0].nanos - whole[0].logs + got[0].logs}
			if got[0] != want {
				t.Fatalf("ledger = %+v, want [%+v]", got, want)
			}
			// Either half again (a redelivery) changes nothing.
			if res := deliver(t, in, "api", tt.first); res.Inserted != 0 {
				t.Errorf("redelivered first half wrote %d rows", res.Inserted)
			}
			if got := ledger(t, st, bookingID); len(got) != 1 || got[0] != want {
				t.Errorf("after a redelivery: %+v", got)
			}
		})
	}
}

// A scheduled job is invoked asynchronously; its first attempt times
// out (no end line), and Lambda retries it with the same request id a
// minute later. Both attempts are in the ledger, each attributed to the
// job, whichever delivery brings which line.
func TestRetriedAsyncInvocationCountsTwice(t *testing.T) {
	in, st := newIngester(t)
	const id = "9a8b7c6d-0002-4d3e-8f4a-00000000a51c"
	start := func(at time.Time) lambdalog.LogLine {
		return lambdalog.LogLine{Time: at, Message: `{"level":"INFO","msg":"invocation","phase":"start","request_id":"` + id +
			`","function":"scheduler","trigger":"arrival-reminders","trigger_kind":"schedule","bytes_in":80,"emails":0}`}
	}
	report := func(at time.Time, d time.Duration, status string) lambdalog.LogLine {
		return lambdalog.LogLine{Time: at, Message: lambdalog.Report{RequestID: id, Duration: d, BilledDuration: d,
			MemorySizeMB: 256, MaxMemoryUsedMB: 30, Status: status}.String()}
	}
	t0 := booked
	t1 := t0.Add(time.Minute)
	deliver(t, in, "scheduler", []lambdalog.LogLine{start(t0)})
	deliver(t, in, "scheduler", []lambdalog.LogLine{report(t0.Add(30*time.Second), 30*time.Second, "timeout"), start(t1)})
	deliver(t, in, "scheduler", []lambdalog.LogLine{
		{Time: t1.Add(2 * time.Second), Message: `{"level":"INFO","msg":"invocation","phase":"end","request_id":"` + id +
			`","function":"scheduler","trigger":"arrival-reminders","trigger_kind":"schedule","bytes_in":80,"emails":3}`},
		report(t1.Add(2*time.Second), 2*time.Second, ""),
	})

	got := ledger(t, st, id)
	if len(got) != 2 {
		t.Fatalf("ledger = %+v, want two attempts", got)
	}
	if got[0].attempt != 1 || got[0].attribution != pricing.AttributionStart || got[0].trigger != "arrival-reminders" || got[0].ses != 0 {
		t.Errorf("timed-out attempt = %+v, want attributed to the job by its start line", got[0])
	}
	if got[1].attempt != 2 || got[1].attribution != pricing.AttributionEnd || got[1].trigger != "arrival-reminders" || got[1].ses <= 0 {
		t.Errorf("retry = %+v, want attributed by its end line, with its emails", got[1])
	}
	rows, err := st.Costs(context.Background(), finance.Period{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)}, finance.ByRoute)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Key != "arrival-reminders" || rows[0].Invocations != 2 ||
		rows[0].Cost != pricing.Nanos(got[0].nanos+got[1].nanos) {
		t.Errorf("costs by route = %s, want both attempts under arrival-reminders", fmt.Sprint(rows))
	}
}
