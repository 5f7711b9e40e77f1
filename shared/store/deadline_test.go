package store_test

import (
	"context"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/store"
)

// Every call is bounded by QueryTimeout on the client side, below the
// server's statement_timeout, rows read included; the pool serves the
// next call.
func TestQueryTimeoutBoundsEveryCall(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), testenv.DatabaseURL(), store.Options{
		SearchPath: testenv.Schema(t), QueryTimeout: time.Second, StatementTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = st.Pool().Exec(context.Background(), `SELECT pg_sleep(6)`)
	if took := time.Since(start); err == nil || took > 4*time.Second {
		t.Fatalf("a 6 s query: %v after %v", err, took)
	}
	if err := pingSoon(st); err != nil {
		t.Fatalf("the pool after a timed-out call: %v", err)
	}
	start = time.Now()
	rows, err := st.Pool().Query(context.Background(), `SELECT pg_sleep(0.3) FROM generate_series(1, 20)`)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if took := time.Since(start); err == nil || took > 4*time.Second {
		t.Fatalf("a 6 s row stream: %v after %v", err, took)
	}
	if err := pingSoon(st); err != nil {
		t.Fatalf("the pool after a timed-out stream: %v", err)
	}
}

// pingSoon pings, giving a busy machine three tries at the new
// connection that replaces the one a deadline closed.
func pingSoon(st *store.Store) (err error) {
	for range 3 {
		if err = st.Ping(context.Background()); err == nil {
			return nil
		}
	}
	return err
}
