package health

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 10.0.0.5:5432: secret detail") }
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	slow := func(context.Context) error { time.Sleep(20 * time.Millisecond); return nil }
	tests := []struct {
		name    string
		checks  []Check
		status  Status
		failing []string
	}{
		{"all ok", []Check{{Name: "db", Critical: true, Probe: ok}, {Name: "cache", Probe: ok}}, OK, nil},
		{"optional down warns", []Check{{Name: "db", Critical: true, Probe: ok}, {Name: "cache", Probe: down}}, Warning, []string{"cache"}},
		{"critical down fails", []Check{{Name: "db", Critical: true, Probe: down}, {Name: "cache", Probe: ok}}, Failed, []string{"db"}},
		{"hang times out", []Check{{Name: "db", Critical: true, Probe: hang}}, Failed, []string{"db"}},
		{"slow warns", []Check{{Name: "db", Critical: true, Slow: time.Millisecond, Probe: slow}}, Warning, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			rep := Run(context.Background(), 100*time.Millisecond, "v1", tt.checks)
			if time.Since(start) > time.Second {
				t.Fatal("Run did not respect its timeout")
			}
			if rep.Status != tt.status || !slices.Equal(rep.Failing(), tt.failing) || rep.Version != "v1" {
				t.Fatalf("got %+v", rep)
			}
			for _, c := range rep.Checks {
				if c.Status == Failed && (c.Error == "" || c.Error == "dial tcp 10.0.0.5:5432: secret detail") {
					t.Fatalf("error %q: want a brief reason without internals", c.Error)
				}
			}
		})
	}
}
