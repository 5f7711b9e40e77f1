package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/store"
)

// Migration 0005 drops the receipts kept in clear that hold a guest's
// access token, and keeps the sealed ones and those without a token.
func TestMigrationDropsReceiptsWithClearTokens(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Version == 5 })
	if i < 0 {
		t.Fatal("no migration 0005")
	}
	receipts := []struct {
		key  string
		body []byte
		kept bool
	}{
		{"clear-token", []byte(`{"reservation":{"reference":"INK-1"},"access_token":"rat_x"}` + "\n"), false},
		{"clear-no-token", []byte(`{"reservation":{"reference":"INK-1"}}` + "\n"), true},
		{"sealed", append([]byte{0, 'k', 's', '1'}, []byte(`.."access_token"..`)...), true},
		{"empty", []byte{}, true},
	}
	exp := time.Now().Add(time.Hour)
	for _, r := range receipts {
		if _, err := st.Pool().Exec(ctx, `INSERT INTO idempotency_receipts (scope, key, fingerprint, status, body, expires_at)
			VALUES ('public', $1, '\x01', 201, $2, $3)`, r.key, r.body, exp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Pool().Exec(ctx, ms[i].SQL); err != nil {
		t.Fatalf("migration 0005: %v", err)
	}
	for _, r := range receipts {
		var n int
		if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM idempotency_receipts WHERE key = $1`, r.key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n == 1) != r.kept {
			t.Errorf("receipt %s: %d left, want kept %v", r.key, n, r.kept)
		}
	}
}
