package logs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"innkeeper/shared/topology"
)

func TestCollectorDeliversFilteredLinesPerLogGroup(t *testing.T) {
	var mu sync.Mutex
	var got [][]byte
	c := &Collector{Subscription: topology.Innkeeper.Logs, Deliver: func(_ context.Context, p []byte) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
		return nil
	}}
	c.Add("api", "START RequestId: r1 Version: $LATEST")
	c.Add("api", `{"level":"INFO","msg":"invocation","request_id":"r1","function":"api"}`)
	c.Add("api", "REPORT RequestId: r1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 512 MB\tMax Memory Used: 20 MB")
	c.Add("worker", "REPORT RequestId: r2\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\tMax Memory Used: 20 MB")
	c.Add(topology.Innkeeper.Logs.Function, "REPORT RequestId: r3\tDuration: 2.00 ms") // never its own lines
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want one per log group", len(got))
	}
	byGroup := map[string][]string{}
	for _, p := range got {
		data, err := Event(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range data.LogEvents {
			byGroup[data.LogGroup] = append(byGroup[data.LogGroup], e.Message)
		}
	}
	if n := len(byGroup["/aws/lambda/api"]); n != 2 {
		t.Errorf("api: %d lines, want the attribution and REPORT lines only: %v", n, byGroup["/aws/lambda/api"])
	}
	if n := len(byGroup["/aws/lambda/worker"]); n != 1 {
		t.Errorf("worker: %d lines", n)
	}
	for g := range byGroup {
		if strings.Contains(g, topology.Innkeeper.Logs.Function) {
			t.Error("the subscribed function received its own lines")
		}
	}
	if err := c.Flush(context.Background()); err != nil || len(got) != 2 {
		t.Errorf("an empty flush delivered something: %d deliveries, %v", len(got), err)
	}
}

func TestFailedDeliveryIsRetried(t *testing.T) {
	fail := true
	var delivered int
	c := &Collector{Subscription: topology.Innkeeper.Logs, Deliver: func(context.Context, []byte) error {
		if fail {
			return errors.New("function down")
		}
		delivered++
		return nil
	}}
	c.Add("api", "REPORT RequestId: r1\tDuration: 1.00 ms")
	if err := c.Flush(context.Background()); err == nil {
		t.Fatal("a failed delivery reported no error")
	}
	fail = false
	if err := c.Flush(context.Background()); err != nil || delivered != 1 {
		t.Errorf("the lines were not delivered on the next flush: %d, %v", delivered, err)
	}
}
