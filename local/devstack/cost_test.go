package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/demo"
	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

// receipt is GET /v1/finance/reservations/{ref}/cost, as finance reads it.
type receipt struct {
	Lines []struct {
		RequestID       string `json:"request_id"`
		Function        string `json:"function"`
		CostNanos       int64  `json:"cost_nanos"`
		ShareNanos      int64  `json:"share_nanos"`
		PrecedingSearch bool   `json:"preceding_search"`
	} `json:"lines"`
	TotalNanos int64 `json:"total_nanos"`
}

func costReceipt(t *testing.T, s *Stack, ref string) receipt {
	t.Helper()
	r := call(t, "GET", s.URL+"/v1/finance/reservations/"+ref+"/cost", nil, "Authorization", "Bearer "+demo.SampleAdminKey)
	if r.status != 200 {
		t.Fatalf("receipt: %d %v", r.status, r.body)
	}
	raw, _ := json.Marshal(r.body)
	var out receipt
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCostOfABookingEndToEnd: a guest searches, holds a room, and the
// hold expires. Every function's REPORT line reaches cost ingestion as
// CloudWatch Logs would deliver it, and the booking's cost receipt lists
// the search, the API call, the worker's emails and the scheduler's
// expiry, each with a cost, adding up. Delivering the same lines again
// changes nothing.
func TestCostOfABookingEndToEnd(t *testing.T) {
	s, mp, _, clk := asyncStack(t)
	if got := freeFAM(t, s, 61); got < 1 {
		t.Fatalf("no room to hold: %v", got)
	}
	ref, token := book(t, s, true, 61, "cost-1")
	mp.WaitFor(t, "Room held until", 1, 10*time.Second)
	clk.Advance(16 * time.Minute)
	mp.WaitFor(t, "Hold ended: "+ref, 1, 15*time.Second)
	_ = token

	want := map[string]bool{"api": true, "worker": true, "scheduler": true}
	var rc receipt
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := s.FlushLogs(context.Background()); err != nil {
			t.Logf("flush: %v", err)
		}
		rc = costReceipt(t, s, ref)
		seen := map[string]bool{}
		for _, l := range rc.Lines {
			seen[l.Function] = true
		}
		if seen["api"] && seen["worker"] && seen["scheduler"] && hasSearch(rc) {
			break
		}
		if time.Now().After(deadline) {
			var ingest []string
			for _, l := range strings.Split(s.opts.Log.(*lockedBuffer).String(), "\n") {
				if strings.HasPrefix(l, topology.Innkeeper.Logs.Function) || strings.Contains(l, "delivery") {
					ingest = append(ingest, l)
				}
			}
			t.Fatalf("receipt after 20 s lists %v, want api, worker, scheduler and the search: %+v\ncost ingestion said:\n%s", seen, rc, strings.Join(ingest, "\n"))
		}
		time.Sleep(300 * time.Millisecond)
	}
	var sum int64
	for _, l := range rc.Lines {
		if l.CostNanos <= 0 || l.ShareNanos <= 0 || l.ShareNanos > l.CostNanos {
			t.Errorf("line %s (%s): cost %d, share %d", l.RequestID, l.Function, l.CostNanos, l.ShareNanos)
		}
		sum += l.ShareNanos
		delete(want, l.Function)
	}
	if sum != rc.TotalNanos || rc.TotalNanos <= 0 {
		t.Errorf("lines add up to %d, total says %d", sum, rc.TotalNanos)
	}
	if len(want) > 0 {
		t.Errorf("receipt lacks %v", want)
	}
	t.Logf("receipt of %s: %d invocations, $%s", ref, len(rc.Lines), pricing.Nanos(rc.TotalNanos).Decimal())

	// The same lines again, as a retried delivery would bring them,
	// once everything so far is in.
	if err := s.FlushLogs(context.Background()); err != nil {
		t.Fatal(err)
	}
	rc = costReceipt(t, s, ref)
	s.deliveredMu.Lock()
	deliveries := slices.Clone(s.delivered)
	s.deliveredMu.Unlock()
	if len(deliveries) == 0 {
		t.Fatal("no log deliveries to send again")
	}
	for _, payload := range deliveries {
		res, err := s.runtime.Invoke(context.Background(), topology.Innkeeper.Logs.Function, payload)
		if err != nil || res.FunctionError != "" {
			t.Fatalf("redelivery: %v %s", err, res.Payload)
		}
	}
	again := costReceipt(t, s, ref)
	if again.TotalNanos != rc.TotalNanos || len(again.Lines) != len(rc.Lines) {
		t.Errorf("a redelivered batch changed the receipt: %d lines $%d → %d lines $%d", len(rc.Lines), rc.TotalNanos, len(again.Lines), again.TotalNanos)
	}
}

func hasSearch(rc receipt) bool {
	for _, l := range rc.Lines {
		if l.PrecedingSearch {
			return true
		}
	}
	return false
}
