package pricing

import (
	"strings"
	"testing"
	"time"

	"innkeeper/shared/meter"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// want is a breakdown's expected amounts, by line; lines not named are 0.
type want map[Line]Nanos

func checkBreakdown(t *testing.T, b Breakdown, w want) {
	t.Helper()
	if len(b.Items) != len(Lines) {
		t.Fatalf("%d line items, want one per line (%d)", len(b.Items), len(Lines))
	}
	var sum, total Nanos
	for i, it := range b.Items {
		if it.Line != Lines[i] {
			t.Errorf("item %d is %s, want %s", i, it.Line, Lines[i])
		}
		if it.Amount != w[it.Line] {
			t.Errorf("%s = %d (%s), want %d", it.Line, it.Amount, it.Note, w[it.Line])
		}
		sum += it.Amount
		total += w[it.Line]
	}
	if b.Total != sum || b.Total != total {
		t.Errorf("Total = %d, want %d (the items add up to %d)", b.Total, total, sum)
	}
}

func TestPrice(t *testing.T) {
	p := usEast1Prices()
	arm := func(inv Invocation) Invocation {
		inv.Function, inv.Arch, inv.MemoryMB = "api", ARM64, 128
		if inv.Duration == 0 {
			inv.Duration = ms(12.3)
		}
		return inv
	}
	// Every arm64 128 MB invocation of 12.3 ms bills 13 ms: 128 × 13 =
	// 1,664 MB-ms = 0.125 GB × 0.013 s = 0.001625 GB-s × 13,333.4
	// nano-dollars = 21.666775 → 22; plus the request, $0.20 / 1M = 200.
	const request, armBase Nanos = 200, 22
	tests := []struct {
		name string
		inv  Invocation
		opt  Options
		want want
	}{
		{
			name: "arm64 128 MB 12.3 ms, billed 13 ms from the REPORT line",
			inv:  arm(Invocation{BilledDuration: 13 * time.Millisecond}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase}, // $0.000000222
		},
		{
			name: "arm64 128 MB 12.3 ms, billed duration computed",
			inv:  arm(Invocation{}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase},
		},
		{
			// 1024 MB = 1 GB. INIT 180 ms = 0.18 GB-s × 16,666.7 =
			// 3,000.006 → 3,000; invoke 50 ms = 0.05 GB-s × 16,666.7 =
			// 833.335 → 833. $0.000004033 in all.
			name: "x86_64 1024 MB, 180 ms INIT and 50 ms, billed 230 ms",
			inv: Invocation{Function: "api", Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond,
				InitDuration: 180 * time.Millisecond, BilledDuration: 230 * time.Millisecond},
			want: want{LineLambdaRequests: request, LineLambdaCompute: 833, LineLambdaInit: 3000},
		},
		{
			name: "x86_64 cold start, billed duration computed from INIT + duration",
			inv: Invocation{Function: "api", Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond,
				InitDuration: 180 * time.Millisecond},
			want: want{LineLambdaRequests: request, LineLambdaCompute: 833, LineLambdaInit: 3000},
		},
		{
			// A REPORT line whose billed duration leaves INIT out (a
			// managed runtime before August 2025): INIT is not charged.
			name: "INIT not in the billed duration",
			inv: Invocation{Function: "api", Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond,
				InitDuration: 180 * time.Millisecond, BilledDuration: 50 * time.Millisecond},
			want: want{LineLambdaRequests: request, LineLambdaCompute: 833},
		},
		{
			// 600 KB = 614,400 bytes = 2 × 512 KB units × $1.00 / 1M.
			name: "a 600 KB HTTP request is 2 API Gateway requests",
			inv:  arm(Invocation{Trigger: meter.TriggerHTTP, TriggerBytes: 600 << 10}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 2000},
		},
		{
			name: "a 512 KB HTTP request is 1",
			inv:  arm(Invocation{Trigger: meter.TriggerHTTP, TriggerBytes: 512 << 10}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 1000},
		},
		{
			name: "an empty HTTP request is still 1",
			inv:  arm(Invocation{Trigger: meter.TriggerHTTP}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 1000},
		},
		{
			// 299,999,999 used: the first unit at $1.00 / 1M, the second
			// at $0.90 / 1M.
			name: "HTTP requests straddling 300 million",
			inv:  arm(Invocation{Trigger: meter.TriggerHTTP, TriggerBytes: 600 << 10}),
			opt:  Options{Used: Usage{HTTPRequests: 299_999_999}},
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 1000 + 900},
		},
		{
			// One 64 KB message: receive 1 + delete 1 = 2 × 400 (the send
			// is the sender's).
			name: "a 64 KB SQS message",
			inv:  arm(Invocation{Trigger: meter.TriggerSQS, TriggerBytes: 64 << 10, SQSMessages: 1}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineSQS: 800},
		},
		{
			// One 65 KB message is two 64 KB chunks: receive 2 + delete 1
			// = 3 × 400.
			name: "a 65 KB SQS message",
			inv:  arm(Invocation{Trigger: meter.TriggerSQS, TriggerBytes: 65 << 10, SQSMessages: 1}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineSQS: 1200},
		},
		{
			// 11 small messages: 1 receive + 2 deletes = 3 × 400.
			name: "a batch of 11 small SQS messages",
			inv:  arm(Invocation{Trigger: meter.TriggerSQS, TriggerBytes: 11 << 10, SQSMessages: 11}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineSQS: 1200},
		},
		{
			// A batch send over 64 KB: 3 billed requests × $0.40 / 1M.
			name: "the invocation's own SQS sends",
			inv:  arm(Invocation{Trigger: meter.TriggerHTTP, SQSSendRequests: 3}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 1000, LineSQSSend: 1200},
		},
		{
			// 3 pushes, one of 40 KB: 4 messages × $1.00 / 1M.
			name: "pushes to WebSocket connections",
			inv:  arm(Invocation{Trigger: meter.TriggerSQS, SQSMessages: 1, WSPushes: 3, WSPushMessages: 4}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineSQS: 800, LineWebSocketMessages: 4000},
		},
		{
			// The trigger's 1 message takes the last unit at $1.00 / 1M;
			// both pushes fall in the next tier at $0.80 / 1M.
			name: "pushes tier after the trigger's own message",
			inv:  arm(Invocation{Trigger: meter.TriggerWebSocketMessage, TriggerBytes: 10, WSPushes: 2, WSPushMessages: 2}),
			opt:  Options{Used: Usage{WebSocketMessages: 1_000_000_000 - 1}},
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 1000, LineWebSocketMessages: 1600},
		},
		{
			// One trace recorded × $5.00 / 1M.
			name: "a sampled trace",
			inv:  arm(Invocation{Trigger: meter.TriggerSchedule, XRaySampled: true}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineXRay: 5000},
		},
		{
			// 33 KB = 2 × 32 KB messages × $1.00 / 1M.
			name: "a 33 KB WebSocket message",
			inv:  arm(Invocation{Trigger: meter.TriggerWebSocketMessage, TriggerBytes: 33 << 10}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 2000},
		},
		{
			// 90 s rounds up to 2 minutes × $0.25 / 1M = 2 × 250.
			name: "a WebSocket connection of 90 s, at its $disconnect",
			inv:  arm(Invocation{Trigger: meter.TriggerWebSocketDisconnect, Connected: 90 * time.Second}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineAPIGateway: 500},
		},
		{
			name: "a $connect: minutes come at $disconnect",
			inv:  arm(Invocation{Trigger: meter.TriggerWebSocketConnect, Connected: 90 * time.Second}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase},
		},
		{
			name: "a $disconnect of unknown length",
			inv:  arm(Invocation{Trigger: meter.TriggerWebSocketDisconnect}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase},
		},
		{
			name: "a scheduled event is free",
			inv:  arm(Invocation{Trigger: meter.TriggerSchedule}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase},
		},
		{
			// 3 custom events × $1.00 / 1M; 2 emails × $0.10 / 1000.
			name: "custom events and emails",
			inv:  arm(Invocation{EventsPut: 3, Emails: 2}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineEventBridge: 3000, LineSES: 200_000},
		},
		{
			// 1 MiB of logs = 1/1024 GB × $0.50 = 488,281.25 → 488,281.
			name: "a MiB of logs",
			inv:  arm(Invocation{LogBytes: 1 << 20}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineLogs: 488_281},
		},
		{
			// 1,000 bytes × $0.50 / 2^30 = 465.66… → 466.
			name: "a thousand bytes of logs",
			inv:  arm(Invocation{LogBytes: 1000}),
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase, LineLogs: 466},
		},
		{
			// Requests 200 × 0.9 = 180; compute 13,333.4 × 0.9 = 12,000.06
			// per GB-s × 0.001625 = 19.5000975 → 20.
			name: "a 10% Lambda discount",
			inv:  arm(Invocation{}),
			opt:  Options{Overrides: Overrides{ItemLambdaRequests: {PercentBP: -1000}, ItemLambdaCompute: {PercentBP: -1000}}},
			want: want{LineLambdaRequests: 180, LineLambdaCompute: 20},
		},
		{
			// 10,240 MB: INIT 100 ms = 1 GB-s ran first, all in the first
			// tier (13,333.4 → 13,333); the invoke's 10 GB-s all in the
			// second (120,001). In the wrong order it would be 12,000 and
			// 121,334.
			name: "INIT and invoke either side of the arm64 tier boundary",
			inv: Invocation{Function: "api", Arch: ARM64, MemoryMB: 10240, Duration: time.Second,
				InitDuration: 100 * time.Millisecond},
			opt:  Options{Used: Usage{ComputeARM64: GBSeconds(7_500_000_000) - GBSeconds(1)}},
			want: want{LineLambdaRequests: request, LineLambdaInit: 13_333, LineLambdaCompute: 120_001},
		},
		{
			// Straddling the boundary: see TestComputeTierBoundaryCrossing.
			name: "invoke straddling the arm64 tier boundary",
			inv:  Invocation{Function: "api", Arch: ARM64, MemoryMB: 10240, Duration: time.Second},
			opt:  Options{Used: Usage{ComputeARM64: GBSeconds(7_500_000_000) - GBSeconds(1)}},
			want: want{LineLambdaRequests: request, LineLambdaCompute: 121_334},
		},
		{
			// x86 usage does not move arm64 along its tiers.
			name: "tiers are per architecture",
			inv:  arm(Invocation{}),
			opt:  Options{Used: Usage{ComputeX86: GBSeconds(20_000_000_000)}},
			want: want{LineLambdaRequests: request, LineLambdaCompute: armBase},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Price(p, tt.inv, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkBreakdown(t, b, tt.want)
		})
	}
}

func TestPriceNotes(t *testing.T) {
	p := usEast1Prices()
	tests := []struct {
		name string
		inv  Invocation
		opt  Options
		line Line
		note string
	}{
		{"compute", Invocation{Arch: ARM64, MemoryMB: 128, Duration: ms(12.3)}, Options{}, LineLambdaCompute, "128 MB × 13 ms = 0.001625 GB-s"},
		{"init", Invocation{Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond, InitDuration: 180 * time.Millisecond},
			Options{}, LineLambdaInit, "1024 MB × 180 ms = 0.18 GB-s"},
		{"schedule", Invocation{Arch: ARM64, MemoryMB: 128, Trigger: meter.TriggerSchedule}, Options{}, LineEventBridge, "free"},
		{"http units", Invocation{Arch: ARM64, MemoryMB: 128, Trigger: meter.TriggerHTTP, TriggerBytes: 614400}, Options{}, LineAPIGateway, "614400 bytes in 2 × 512 KB"},
		{"sqs requests", Invocation{Arch: ARM64, MemoryMB: 128, Trigger: meter.TriggerSQS, TriggerBytes: 65 << 10, SQSMessages: 1}, Options{}, LineSQS, "2 receive (64 KB chunks) + 1 delete"},
		{"x-ray", Invocation{Arch: ARM64, MemoryMB: 128, XRaySampled: true}, Options{}, LineXRay, "one trace recorded"},
		{"pushes", Invocation{Arch: ARM64, MemoryMB: 128, WSPushes: 2, WSPushMessages: 3}, Options{}, LineWebSocketMessages, "2 pushes: 3 × 32 KB"},
		{"tier crossing", Invocation{Arch: ARM64, MemoryMB: 10240, Duration: time.Second},
			Options{Used: Usage{ComputeARM64: GBSeconds(7_500_000_000) - 1}}, LineLambdaCompute, "straddles 2 price tiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Price(p, tt.inv, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Item(tt.line).Note; !strings.Contains(got, tt.note) {
				t.Errorf("%s note = %q, want it to contain %q", tt.line, got, tt.note)
			}
		})
	}
}

func TestPriceWithoutBilledInit(t *testing.T) {
	p := usEast1Prices()
	p.BillsInit = false
	b, err := Price(p, Invocation{Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond, InitDuration: 180 * time.Millisecond}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkBreakdown(t, b, want{LineLambdaRequests: 200, LineLambdaCompute: 833})
}

func TestPriceRejects(t *testing.T) {
	p := usEast1Prices()
	ok := Invocation{Arch: ARM64, MemoryMB: 128, Duration: time.Millisecond}
	tests := []struct {
		name   string
		change func(*Invocation)
		opt    Options
	}{
		{"too little memory", func(i *Invocation) { i.MemoryMB = 64 }, Options{}},
		{"too much memory", func(i *Invocation) { i.MemoryMB = 10241 }, Options{}},
		{"unknown architecture", func(i *Invocation) { i.Arch = "sparc" }, Options{}},
		{"unknown trigger", func(i *Invocation) { i.Trigger = "carrier-pigeon" }, Options{}},
		{"negative duration", func(i *Invocation) { i.Duration = -time.Millisecond }, Options{}},
		{"negative bytes", func(i *Invocation) { i.LogBytes = -1 }, Options{}},
		{"unknown override", func(*Invocation) {}, Options{Overrides: Overrides{"ec2": {PercentBP: -10}}}},
		{"bad override rate", func(*Invocation) {}, Options{Overrides: Overrides{ItemSES: {Flat: &Rate{1, 0}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := ok
			tt.change(&inv)
			if _, err := Price(p, inv, tt.opt); err == nil {
				t.Error("Price: want an error")
			}
		})
	}
	if _, err := Price(p, ok, Options{}); err != nil {
		t.Errorf("the valid invocation: %v", err)
	}
}

func TestUsagePlus(t *testing.T) {
	p := usEast1Prices()
	b, err := Price(p, Invocation{Arch: X8664, MemoryMB: 1024, Duration: 50 * time.Millisecond,
		InitDuration: 180 * time.Millisecond, Trigger: meter.TriggerHTTP, TriggerBytes: 600 << 10, LogBytes: 300}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := Usage{ComputeX86: 1, HTTPRequests: 1, LogBytes: 1}.Plus(X8664, b)
	want := Usage{ComputeX86: 1 + 1024*230, HTTPRequests: 1 + 2, LogBytes: 1 + 300}
	if got != want {
		t.Errorf("Plus = %+v, want %+v", got, want)
	}
}

func BenchmarkPrice(b *testing.B) {
	p := usEast1Prices()
	inv := Invocation{Arch: ARM64, MemoryMB: 512, Duration: ms(12.3), InitDuration: ms(42),
		Trigger: meter.TriggerHTTP, TriggerBytes: 1234, LogBytes: 900}
	for b.Loop() {
		if _, err := Price(p, inv, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
