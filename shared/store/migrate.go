package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string
}

// migrationName is compiled when first needed: only migrations use it,
// and every function's cold start would pay for it.
var migrationName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`) })

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName().FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %q: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: read %s: %w", e.Name(), err)
		}
		v, _ := strconv.Atoi(m[1])
		sum := sha256.Sum256(b)
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("store: two migrations numbered %04d", out[i].Version)
		}
	}
	return out, nil
}

// Migrate applies every embedded migration not yet applied, each in its
// own transaction, and returns the versions it applied. Concurrent runs
// serialise on an advisory lock, so running it twice, or from two
// processes at once, is safe. An applied migration whose file changed is
// an error: migrations are append-only.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	ctx = unbounded(ctx)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, classify("migrate: acquire", err)
	}
	defer conn.Release()

	// The lock is per schema, so tests in their own schemas do not queue.
	const lock = `SELECT pg_advisory_lock(hashtext('innkeeper.migrate.' || current_schema()))`
	if _, err := conn.Exec(ctx, lock); err != nil {
		return nil, classify("migrate: lock", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('innkeeper.migrate.' || current_schema()))`)
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    int PRIMARY KEY,
		name       text NOT NULL,
		checksum   text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, classify("migrate: bookkeeping table", err)
	}
	applied := map[int]string{}
	rows, err := conn.Query(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return nil, classify("migrate: read applied", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, classify("migrate: scan applied", err)
		}
		applied[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, classify("migrate: read applied", err)
	}

	var done []int
	for _, m := range ms {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return done, fmt.Errorf("store: migration %04d_%s changed after it was applied; add a new migration instead", m.Version, m.Name)
			}
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, m.Version, m.Name, m.Checksum)
			return err
		})
		if err != nil {
			return done, classify(fmt.Sprintf("migrate: apply %04d_%s", m.Version, m.Name), err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// destructive matches statements that break code still running against
// the schema: the contract half of expand/contract needs a marker.
var destructive = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(DROP\s+(TABLE|COLUMN|INDEX|CONSTRAINT|TYPE|VIEW)|RENAME\s+(COLUMN|TO)|ALTER\s+COLUMN\s+\S+\s+(TYPE|SET\s+NOT\s+NULL)|TRUNCATE)\b`)
})

// CheckExpandContract returns the statements of m that would break the
// previous release, unless the migration declares itself a contract step
// with a line "-- contract: <why the old code no longer needs it>".
func CheckExpandContract(m Migration) []string {
	if strings.Contains(m.SQL, "-- contract:") {
		return nil
	}
	var bad []string
	for _, line := range strings.Split(m.SQL, "\n") {
		code, _, _ := strings.Cut(line, "--")
		if destructive().MatchString(code) {
			bad = append(bad, strings.TrimSpace(line))
		}
	}
	return bad
}

// MigrateResult is what the migrate function answers.
type MigrateResult struct {
	Applied []int `json:"applied"`
	Current int   `json:"current"`
}

// MigrateHandler is the migrate function's handler: it ignores its event
// (a deployment trigger or a manual invoke) and applies what is pending.
func MigrateHandler(s *Store, log *slog.Logger) func(context.Context, json.RawMessage) (MigrateResult, error) {
	return func(ctx context.Context, _ json.RawMessage) (MigrateResult, error) {
		applied, err := s.Migrate(ctx)
		if err != nil {
			log.ErrorContext(ctx, "migrations failed", slog.String("error", err.Error()), slog.Any("applied", applied))
			return MigrateResult{Applied: applied}, err
		}
		ms, err := Migrations()
		if err != nil {
			return MigrateResult{Applied: applied}, err
		}
		res := MigrateResult{Applied: applied, Current: ms[len(ms)-1].Version}
		if res.Applied == nil {
			res.Applied = []int{}
		}
		log.InfoContext(ctx, "migrations applied", slog.Any("applied", res.Applied), slog.Int("current", res.Current))
		return res, nil
	}
}
