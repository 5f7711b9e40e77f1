package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/costingest"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/logging"
	"innkeeper/shared/topology"
)

func readEvent(t *testing.T, name string) events.CloudwatchLogsEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../events/costingest", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudwatchLogsEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("%s is not a CloudWatch Logs subscription event: %v", name, err)
	}
	return ev
}

// TestSampleDeliveries runs every sample delivery through the handler
// into a real ledger: each REPORT line becomes one priced row, and a
// delivery that comes again (Lambda retries a failed one) adds nothing.
func TestSampleDeliveries(t *testing.T) {
	st := testenv.Store(t)
	var emf bytes.Buffer
	in, err := costingest.New(topology.Innkeeper, "eu-west-1", nil, st, &emf, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../events/costingest/*.json")
	if len(files) == 0 {
		t.Fatal("no sample events")
	}
	total := 0
	for _, f := range files {
		ev := readEvent(t, filepath.Base(f))
		data, err := lambdalog.DecodeSubscription(ev)
		if err != nil {
			t.Fatal(err)
		}
		reports := 0
		for _, e := range data.LogEvents {
			if strings.HasPrefix(e.Message, "REPORT RequestId:") {
				reports++
			}
		}
		res, err := in.Handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if res.Reports != reports || res.Inserted != reports {
			t.Errorf("%s: %+v, want %d reports priced and recorded", f, res, reports)
		}
		again, err := in.Handle(context.Background(), ev)
		if err != nil || again.Inserted != 0 {
			t.Errorf("%s delivered twice: inserted %d more (%v)", f, again.Inserted, err)
		}
		total += reports
	}
	var rows, attributed int
	var nanos int64
	if err := st.Pool().QueryRow(context.Background(),
		`SELECT count(*), count(*) FILTER (WHERE attributed), coalesce(sum(cost_nanos), 0) FROM invocation_costs`).Scan(&rows, &attributed, &nanos); err != nil {
		t.Fatal(err)
	}
	if rows != total || attributed != total || nanos <= 0 {
		t.Errorf("ledger: %d rows (%d attributed), %d nanos; want %d attributed rows with a cost", rows, attributed, nanos, total)
	}
	// The api's cold availability search, at eu-west-1's prices: 46 ms
	// billed at 512 MB on arm64 (3.41 ms invoke + 42.10 ms INIT) = 23,552
	// MB-ms = 0.023 GB-s × $0.0000133334 = 306.7 → 307 nanos, +
	// $0.0000002 request = 200, + one HTTP API request $1.11 / 1M =
	// 1,110, + its log lines' bytes at $0.57 per GB.
	data, err := lambdalog.DecodeSubscription(readEvent(t, "api-report-lines.json"))
	if err != nil {
		t.Fatal(err)
	}
	var logBytes int64
	for _, e := range data.LogEvents {
		if strings.Contains(e.Message, "8c1d2f3a-0001-4b6e-9a11-5f0c2d7e9b01") {
			logBytes += int64(len(e.Message))
		}
	}
	want := 1617 + (logBytes*570_000_000+(1<<29))/(1<<30)
	var cold int64
	if err := st.Pool().QueryRow(context.Background(),
		`SELECT cost_nanos FROM invocation_costs WHERE request_id = '8c1d2f3a-0001-4b6e-9a11-5f0c2d7e9b01'`).Scan(&cold); err != nil {
		t.Fatal(err)
	}
	if cold != want {
		t.Errorf("cold search cost %d nanos, want %d (1,617 + %d log bytes)", cold, want, logBytes)
	}
	if n := strings.Count(emf.String(), `"CloudWatchMetrics"`); n < total {
		t.Errorf("%d EMF lines, want one per invocation (%d)", n, total)
	}
}

// A hotel on an attribution line that cannot be a slug (an old function
// that recorded what callers sent, up to 64 KiB) is dropped, not stored.
func TestHotelsThatAreNoSlugAreDropped(t *testing.T) {
	st := testenv.Store(t)
	in, err := costingest.New(topology.Innkeeper, "eu-west-1", nil, st, io.Discard, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	// The sample's second line keeps its real hotel.
	hotels := map[string]string{"8c1d2f3a-0001-4b6e-9a11-5f0c2d7e9b01": strings.Repeat("x", 64<<10)}
	ev := readEvent(t, "api-report-lines.json")
	data, err := lambdalog.DecodeSubscription(ev)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range data.LogEvents {
		for id, h := range hotels {
			if strings.Contains(e.Message, `"request_id":"`+id+`"`) {
				data.LogEvents[i].Message = strings.Replace(e.Message, `"hotel":"lisbon-riverside"`, `"hotel":`+strconv.Quote(h), 1)
			}
		}
	}
	raw, _ := json.Marshal(data)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	ev.AWSLogs.Data = base64.StdEncoding.EncodeToString(gz.Bytes())
	if _, err := in.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	for id := range hotels {
		var hotel *string
		if err := st.Pool().QueryRow(context.Background(), `SELECT hotel FROM invocation_costs WHERE request_id = $1`, id).Scan(&hotel); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if hotel != nil && *hotel != "" {
			t.Errorf("%s: hotel %.40q stored", id, *hotel)
		}
	}
	var kept int
	if err := st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM invocation_costs WHERE hotel = 'lisbon-riverside'`).Scan(&kept); err != nil || kept != 1 {
		t.Errorf("the real hotel of the other line: %d rows (%v)", kept, err)
	}
}
