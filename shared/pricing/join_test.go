package pricing

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
)

// The functions the fixture's log group may name.
var innkeeperFunctions = []string{"api", "migrate", "worker", "scheduler", "ws"}

func newPricer(t *testing.T, c PricerConfig) *Pricer {
	t.Helper()
	if c.Table == nil {
		c.Table = AWSPrices()
	}
	if c.Region == "" {
		c.Region = "eu-west-1"
	}
	p, err := NewPricer(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The fixture's two invocations of the api function (512 MB, arm64), at
// eu-west-1's prices (the pricer's default region here):
//
// 1. Cold, attributed to GET /v1/hotels/{slug}: billed 55 ms of which
// the invoke is ceil(12.30) = 13 ms and INIT the other 42 ms.
// Requests 200; compute 512 × 13 = 6,656 MB-ms = 0.0065 GB-s × 13,333.4
// = 86.6671 → 87; INIT 512 × 42 = 21,504 MB-ms = 0.021 GB-s × 13,333.4
// = 280.0014 → 280; API Gateway 614,400 bytes = 2 units × $1.11 / 1M =
// 2 × 1,110 = 2,220; logs: START 71 + request line 184 + attribution
// line 281 + END 52 + REPORT 258 = 846 bytes × $0.57 / 2^30 =
// 482,220,000,000 / 1,073,741,824 = 449.10 → 449 (INIT_START names no
// request id). Total 3,236.
//
// 2. Warm, with no attribution line: direct. Requests 200; compute 512 ×
// 4 = 2,048 MB-ms = 0.002 GB-s × 13,333.4 = 26.6668 → 27; logs START 71
// + END 52 + REPORT 139 = 262 bytes × $0.57 / 2^30 = 139.08 → 139.
// Total 366.
func TestJoinFixture(t *testing.T) {
	// The delivery lambdalog's tests decode: one cold and one warm
	// invocation of the api function, as CloudWatch Logs sends them.
	raw, err := os.ReadFile("../lambdalog/testdata/subscription-api.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	data, err := lambdalog.DecodeSubscription(ev)
	if err != nil {
		t.Fatal(err)
	}
	reports, attributions := lambdalog.Scan(data, innkeeperFunctions)
	p := newPricer(t, PricerConfig{Arch: map[string]string{"api": ARM64}})
	records, err := p.Join(reports, attributions)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("%d records, want 2", len(records))
	}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

	cold := records[0]
	if cold.RequestID != "6f1c0b9e-1111-4a5e-9d0e-000000000001" || !cold.Attributed || cold.Function != "api" ||
		cold.Trigger != "GET /v1/hotels/{slug}" || cold.TriggerKind != meter.TriggerHTTP ||
		cold.Hotel != "lisbon-riverside" || fmt.Sprint(cold.Reservations) != "[INK-ABC123]" || cold.Arch != ARM64 {
		t.Errorf("cold record = %+v", cold)
	}
	if !cold.Ended.Equal(at.Add(13*time.Millisecond)) || !cold.Started.Equal(at.Add(13*time.Millisecond-12300*time.Microsecond)) {
		t.Errorf("cold record from %v to %v", cold.Started, cold.Ended)
	}
	if cold.Report.LogBytes != 846 {
		t.Errorf("cold LogBytes = %d, want 846", cold.Report.LogBytes)
	}
	checkBreakdown(t, cold.Breakdown, want{LineLambdaRequests: 200, LineLambdaCompute: 87, LineLambdaInit: 280,
		LineAPIGateway: 2220, LineLogs: 449})

	warm := records[1]
	if warm.Attributed || warm.TriggerKind != meter.TriggerDirect || warm.Function != "api" || warm.Route() != "direct" {
		t.Errorf("warm record = %+v", warm)
	}
	if warm.Report.LogBytes != 262 {
		t.Errorf("warm LogBytes = %d, want 262", warm.Report.LogBytes)
	}
	checkBreakdown(t, warm.Breakdown, want{LineLambdaRequests: 200, LineLambdaCompute: 27, LineLogs: 139})

	used, month := p.Used()
	if used.ComputeARM64 != 512*55+512*4 || used.HTTPRequests != 2 || used.LogBytes != 846+262 {
		t.Errorf("usage after the batch = %+v", used)
	}
	if !month.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("month = %v", month)
	}
}

func TestJoin(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	report := func(id, fn string, offset time.Duration) lambdalog.Report {
		return lambdalog.Report{RequestID: id, Function: fn, Time: at.Add(offset), Duration: ms(12.3),
			BilledDuration: 13 * time.Millisecond, MemorySizeMB: 128}
	}
	reports := []lambdalog.Report{
		report("late", "api", 2*time.Second), // out of order: priced last
		report("sqs", "worker", time.Second),
		report("mystery", "", 0),
		report("lost", "ghost", 3*time.Second),
	}
	attributions := []meter.Attribution{
		{RequestID: "sqs", Function: "worker", Trigger: "events", TriggerKind: meter.TriggerSQS, BytesIn: 65 << 10, SQSMessages: 1, Emails: 1},
		{RequestID: "sqs", Function: "worker", TriggerKind: meter.TriggerHTTP}, // a duplicate: the first wins
		{RequestID: "mystery", Function: "scheduler", Trigger: "expire-holds", TriggerKind: meter.TriggerSchedule},
		{RequestID: "orphan", Function: "api", TriggerKind: meter.TriggerHTTP}, // no REPORT yet
	}
	p := newPricer(t, PricerConfig{Arch: map[string]string{"api": ARM64, "worker": ARM64, "scheduler": ARM64}})
	records, err := p.Join(reports, attributions)
	if err == nil || !strings.Contains(err.Error(), "lost") || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("error = %v; want it to name the request and function it could not price", err)
	}
	var ids []string
	for _, r := range records {
		ids = append(ids, r.RequestID)
	}
	if got := strings.Join(ids, ","); got != "mystery,sqs,late" {
		t.Fatalf("records %s, want mystery,sqs,late (in time order, lost left out)", got)
	}
	// 128 MB × 13 ms arm64 = 22, request 200; see TestPrice.
	mystery, sqs, late := records[0], records[1], records[2]
	if mystery.Function != "scheduler" || mystery.TriggerKind != meter.TriggerSchedule || mystery.Route() != "expire-holds" {
		t.Errorf("a REPORT without a function takes the attribution's: %+v", mystery)
	}
	checkBreakdown(t, mystery.Breakdown, want{LineLambdaRequests: 200, LineLambdaCompute: 22})
	// A 65 KB message: 2 receive + 1 delete × 400; 1 email × 100,000.
	checkBreakdown(t, sqs.Breakdown, want{LineLambdaRequests: 200, LineLambdaCompute: 22, LineSQS: 1200, LineSES: 100_000})
	if late.Attributed || late.TriggerKind != meter.TriggerDirect {
		t.Errorf("unmatched REPORT: %+v", late)
	}
}

func TestPricerTiersAdvanceAndResetMonthly(t *testing.T) {
	// A table whose arm64 first tier ends after 1 GB-s.
	small := pricesFor("test-1")
	small.LambdaComputeARM64 = Tiers{
		{UpTo: GBSeconds(1), Rate: mustRate("0.0000133334", MBmsPerGBSecond)},
		{Rate: mustRate("0.0000120001", MBmsPerGBSecond)},
	}
	p := newPricer(t, PricerConfig{Table: PriceTable{small}, Region: "test-1", DefaultArch: ARM64})
	gbs := Invocation{Arch: ARM64, MemoryMB: 1024, Duration: time.Second} // 1 GB-s
	nov := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		at   time.Time
		want Nanos // compute line
	}{
		{"first GB-s of November: first tier", nov, 13_333},
		{"second: second tier", nov.Add(time.Hour), 12_000},
		{"December starts again", nov.AddDate(0, 1, 0), 13_333},
		{"a late November line: first tier, not counted", nov.Add(2 * time.Hour), 13_333},
		{"December goes on", nov.AddDate(0, 1, 1), 12_000},
	}
	for _, s := range steps {
		b, err := p.Price(gbs, s.at)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := b.Item(LineLambdaCompute).Amount; got != s.want {
			t.Errorf("%s: compute = %d, want %d", s.name, got, s.want)
		}
	}
}

func TestPricerStartsFromTheMonthToDate(t *testing.T) {
	nov := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	p := newPricer(t, PricerConfig{DefaultArch: ARM64, Month: nov,
		Used: Usage{ComputeARM64: GBSeconds(7_500_000_000) - GBSeconds(1)}})
	b, err := p.Price(Invocation{Arch: ARM64, MemoryMB: 10240, Duration: time.Second}, nov.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Straddles the boundary: see TestComputeTierBoundaryCrossing.
	if got := b.Item(LineLambdaCompute).Amount; got != 121_334 {
		t.Errorf("compute = %d, want 121334", got)
	}
}

func TestNewPricerRejects(t *testing.T) {
	tests := []struct {
		name string
		c    PricerConfig
		is   error
	}{
		{"unknown region", PricerConfig{Table: AWSPrices(), Region: "mars-1"}, ErrUnknownRegion},
		{"bad architecture", PricerConfig{Table: AWSPrices(), Region: "eu-west-1", Arch: map[string]string{"api": "arm"}}, nil},
		{"bad default architecture", PricerConfig{Table: AWSPrices(), Region: "eu-west-1", DefaultArch: "x86"}, nil},
		{"bad override", PricerConfig{Table: AWSPrices(), Region: "eu-west-1", Overrides: Overrides{"ec2": {}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPricer(tt.c)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestPricerBeforeThePrices(t *testing.T) {
	p := newPricer(t, PricerConfig{DefaultArch: ARM64})
	_, err := p.Price(Invocation{Arch: ARM64, MemoryMB: 128}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(err, ErrNoPrices) {
		t.Errorf("error = %v, want ErrNoPrices", err)
	}
}

// A scheduled job is invoked asynchronously: its retry keeps the request
// id. The first attempt timed out (its start line only), the second ran
// to its end line; the first attempt's REPORT came twice (a redelivered
// batch); the third attempt's start line came before its REPORT.
func TestJoinAttempts(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	report := func(event string, offset time.Duration, status string) lambdalog.Report {
		return lambdalog.Report{RequestID: "job", EventID: event, Function: "scheduler", Time: at.Add(offset),
			Duration: 3 * time.Second, BilledDuration: 3 * time.Second, MemorySizeMB: 128, Status: status}
	}
	line := func(event string, offset time.Duration, phase meter.Phase, emails int) meter.Attribution {
		return meter.Attribution{RequestID: "job", EventID: event, Logged: at.Add(offset), Function: "scheduler",
			Trigger: "arrival-reminders", TriggerKind: meter.TriggerSchedule, Phase: phase, Emails: emails}
	}
	reports := []lambdalog.Report{
		report("r2", time.Minute+time.Second, ""),
		report("r1", 3*time.Second, "timeout"),
		report("r1", 3*time.Second, "timeout"),
	}
	attributions := []meter.Attribution{
		line("a4", 2*time.Minute, meter.PhaseStart, 0), // attempt 3: no REPORT yet
		line("a3", time.Minute+time.Second, meter.PhaseEnd, 2),
		line("a2", time.Minute, meter.PhaseStart, 0),
		line("a1", 0, meter.PhaseStart, 0),
	}
	p := newPricer(t, PricerConfig{Arch: map[string]string{"scheduler": ARM64}})
	records, err := p.Join(reports, attributions)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("%d records, want 2 (two attempts, the redelivered REPORT once): %+v", len(records), records)
	}
	first, second := records[0], records[1]
	if first.Attempt != 1 || first.Report.EventID != "r1" || !first.Attributed || first.Attribution != AttributionStart ||
		first.Trigger != "arrival-reminders" || first.TriggerKind != meter.TriggerSchedule {
		t.Errorf("timed-out attempt = %+v", first)
	}
	if second.Attempt != 2 || second.Report.EventID != "r2" || second.Attribution != AttributionEnd ||
		second.Breakdown.Item(LineSES).Quantity != 2 || first.Breakdown.Item(LineSES).Quantity != 0 {
		t.Errorf("retry = %+v", second)
	}
}

// A function's end line goes through a pipe and can be stamped a moment
// after the platform's REPORT line: it still belongs to that attempt,
// not to the next.
func TestJoinEndLineStampedAfterItsReport(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	reports := []lambdalog.Report{{RequestID: "r", EventID: "e1", Function: "api", Time: at,
		Duration: 5 * time.Millisecond, BilledDuration: 5 * time.Millisecond, MemorySizeMB: 128}}
	attributions := []meter.Attribution{
		{RequestID: "r", EventID: "a1", Logged: at.Add(-4 * time.Millisecond), Function: "api", TriggerKind: meter.TriggerHTTP, Phase: meter.PhaseStart},
		{RequestID: "r", EventID: "a2", Logged: at.Add(3 * time.Millisecond), Function: "api", TriggerKind: meter.TriggerHTTP,
			Trigger: "POST /v1/reservations", Emails: 1, Phase: meter.PhaseEnd},
		// A retry's start line, a second later: not this attempt's.
		{RequestID: "r", EventID: "a3", Logged: at.Add(time.Second), Function: "api", TriggerKind: meter.TriggerHTTP, Phase: meter.PhaseStart},
	}
	p := newPricer(t, PricerConfig{Arch: map[string]string{"api": ARM64}})
	records, err := p.Join(reports, attributions)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || records[0].Attribution != AttributionEnd || records[0].Breakdown.Item(LineSES).Quantity != 1 {
		t.Fatalf("records = %+v, want one, attributed by its end line", records)
	}
}

// TestJoinPricesTheLogsTheFunctionWrote: with an end line that counts,
// the logs line is what the function wrote (log_bytes), the end line
// itself and the platform's START, END and REPORT lines; without one,
// what the REPORT's delivery saw.
func TestJoinPricesTheLogsTheFunctionWrote(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	report := func(id string) lambdalog.Report {
		return lambdalog.Report{RequestID: id, EventID: "ev-" + id, Function: "api", Time: at,
			Duration: 12 * time.Millisecond, BilledDuration: 12 * time.Millisecond, MemorySizeMB: 128, MaxMemoryUsedMB: 40,
			LogBytes: 500}
	}
	end := meter.Attribution{Msg: meter.AttributionMsg, RequestID: "counted", Function: "api", Phase: meter.PhaseEnd,
		TriggerKind: meter.TriggerHTTP, Trigger: "GET /x", LogBytes: 100_000, Size: 400, EventID: "a-counted", Logged: at}
	start := end
	start.RequestID, start.Phase, start.LogBytes, start.EventID = "killed", meter.PhaseStart, 0, "a-killed"
	p := newPricer(t, PricerConfig{Arch: map[string]string{"api": ARM64}})
	records, err := p.Join([]lambdalog.Report{report("counted"), report("killed")}, []meter.Attribution{end, start})
	if err != nil || len(records) != 2 {
		t.Fatalf("records %v, %v", records, err)
	}
	byID := map[string]Record{}
	for _, r := range records {
		byID[r.RequestID] = r
	}
	// START "START RequestId: counted Version: $LATEST\n" 42 + END
	// "END RequestId: counted\n" 23 + REPORT as written + its newline.
	platform := int64(42 + 23 + len(report("counted").String()) + 1)
	if got := lambdalog.PlatformBytes(report("counted")); got != platform {
		t.Fatalf("PlatformBytes = %d, want %d", got, platform)
	}
	logs := byID["counted"].Breakdown.Item(LineLogs)
	if want := 100_000 + 400 + platform; logs.Quantity != want {
		t.Errorf("logs quantity %d, want %d (%s)", logs.Quantity, want, logs.Note)
	}
	// 100,400 + platform bytes × $0.57 / 2^30, rounded once.
	wantAmount, _ := mustRate("0.57", BytesPerGB).Cost(100_000 + 400 + platform)
	if logs.Amount != wantAmount || !strings.Contains(logs.Note, "counted") {
		t.Errorf("logs %+v, want amount %s", logs, wantAmount)
	}
	if killed := byID["killed"].Breakdown.Item(LineLogs); killed.Quantity != 500 || !strings.Contains(killed.Note, "lower bound") {
		t.Errorf("without an end line the delivery's count stands: %+v", killed)
	}
}

// TestRepricingCountsTierUsageOnce: an invocation priced again (its
// other half came in a later delivery) replaces its share of the
// month's usage, so the tiers advance once per invocation; another
// invocation still adds its own.
func TestRepricingCountsTierUsageOnce(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	report := func(id string) lambdalog.Report {
		return lambdalog.Report{RequestID: id, EventID: "ev-" + id, Function: "api", Time: at,
			Duration: 100 * time.Millisecond, BilledDuration: 100 * time.Millisecond, MemorySizeMB: 1024, LogBytes: 300}
	}
	end := meter.Attribution{Msg: meter.AttributionMsg, RequestID: "one", Function: "api", Phase: meter.PhaseEnd,
		TriggerKind: meter.TriggerHTTP, Trigger: "GET /x", EventID: "a-one", Logged: at}
	p := newPricer(t, PricerConfig{Arch: map[string]string{"api": ARM64}})
	// The REPORT alone, then with its end line, then both again (a
	// redelivery).
	for _, lines := range [][]meter.Attribution{nil, {end}, {end}} {
		if _, err := p.Join([]lambdalog.Report{report("one")}, lines); err != nil {
			t.Fatal(err)
		}
	}
	used, _ := p.Used()
	// 1024 MB × 100 ms; one HTTP request (the end line's trigger);
	// 300 bytes of log.
	want := Usage{ComputeARM64: 102_400, HTTPRequests: 1, LogBytes: 300}
	if used != want {
		t.Errorf("after pricing one invocation three times, usage %+v, want %+v", used, want)
	}
	if _, err := p.Join([]lambdalog.Report{report("two")}, nil); err != nil {
		t.Fatal(err)
	}
	want.ComputeARM64 += 102_400
	want.LogBytes += 300
	if used, _ = p.Used(); used != want {
		t.Errorf("a second invocation: usage %+v, want %+v", used, want)
	}
}
