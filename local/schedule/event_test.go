package schedule

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/awsid"
	"innkeeper/shared/topology"
)

// nightly is a schedule with a detail, as the topology declares them.
var nightly = topology.Schedule{
	Name:       "nightly-reminders",
	Expression: "cron(0 6 * * ? *)",
	Function:   "worker",
	Detail:     map[string]string{"job": "reminders", "note": "a<b & c"},
}

// TestEventGolden compares the event with one written out by hand in
// EventBridge's shape, byte for byte.
func TestEventGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/scheduled-event.json")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Region: "us-east-1", Account: "123456789012"}.withDefaults()
	got := event(nightly, at("2026-11-27T06:00:00Z").Add(400*time.Millisecond), o, "7bf73129-1428-4cd3-a780-95db273d1602")
	if !bytes.Equal(got, bytes.TrimSpace(want)) {
		t.Fatalf("event:\n got %s\nwant %s", got, want)
	}
}

func TestEventDecodes(t *testing.T) {
	tests := []struct {
		name       string
		schedule   topology.Schedule
		at         time.Time
		o          Options
		wantTime   string
		wantARN    string
		wantDetail string
	}{
		{
			name:       "defaults and a detail",
			schedule:   nightly,
			at:         at("2026-11-27T06:00:00Z"),
			wantTime:   "2026-11-27T06:00:00Z",
			wantARN:    "arn:aws:events:eu-west-1:000000000000:rule/innkeeper-nightly-reminders",
			wantDetail: `{"job":"reminders","note":"a<b & c"}`,
		},
		{
			name:       "no detail is an empty object",
			schedule:   topology.Schedule{Name: "tick", Expression: "rate(1 minute)", Function: "worker"},
			at:         time.Date(2026, 11, 27, 8, 0, 5, 999, time.FixedZone("CET", 3600)),
			o:          Options{Region: "eu-central-1", Account: "111122223333", RulePrefix: "dev-"},
			wantTime:   "2026-11-27T07:00:05Z",
			wantARN:    "arn:aws:events:eu-central-1:111122223333:rule/dev-tick",
			wantDetail: `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := Event(tt.schedule, tt.at, tt.o)
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(payload, &raw); err != nil {
				t.Fatalf("payload is not JSON: %v", err)
			}
			if got := string(raw["time"]); got != `"`+tt.wantTime+`"` {
				t.Fatalf("time = %s, want %q (UTC, to the second)", got, tt.wantTime)
			}
			var ev events.EventBridgeEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				t.Fatalf("decode into events.EventBridgeEvent: %v", err)
			}
			checkEvent(t, ev, tt.wantARN, at(tt.wantTime), tt.wantDetail)
			if ev.AccountID == "" || ev.Region == "" {
				t.Fatalf("account %q, region %q", ev.AccountID, ev.Region)
			}
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkEvent checks a decoded scheduled event.
func checkEvent(t *testing.T, ev events.EventBridgeEvent, arn string, when time.Time, detail string) {
	t.Helper()
	if ev.Version != "0" || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		t.Fatalf("version %q, detail-type %q, source %q", ev.Version, ev.DetailType, ev.Source)
	}
	if !uuidV4.MatchString(ev.ID) {
		t.Fatalf("id %q is not a UUID", ev.ID)
	}
	if len(ev.Resources) != 1 || ev.Resources[0] != arn {
		t.Fatalf("resources %q, want [%s]", ev.Resources, arn)
	}
	if !ev.Time.Equal(when) {
		t.Fatalf("time %s, want %s", ev.Time, when)
	}
	var got, want any
	if err := json.Unmarshal(ev.Detail, &got); err != nil {
		t.Fatalf("detail %s: %v", ev.Detail, err)
	}
	if err := json.Unmarshal([]byte(detail), &want); err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Fatalf("detail %s, want %s", g, w)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEventIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := awsid.UUID()
		if !uuidV4.MatchString(id) || seen[id] {
			t.Fatalf("id %q is not a fresh UUID", id)
		}
		seen[id] = true
	}
}
