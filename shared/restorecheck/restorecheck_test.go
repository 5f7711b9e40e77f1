package restorecheck_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jackc/pgx/v5"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/demo"
	"innkeeper/shared/emf"
	"innkeeper/shared/restorecheck"
	"innkeeper/shared/store"
)

// backupAPI is AWS Backup's PutRestoreValidationResult at a local
// server: it records each call, checks it is signed for the backup
// service, and answers as the service does.
type backupAPI struct {
	mu    sync.Mutex
	calls []validation
}

type validation struct {
	Path, Auth              string
	ValidationStatus        string
	ValidationStatusMessage string
}

func (b *backupAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var v validation
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPut || json.Unmarshal(body, &v) != nil {
		http.Error(w, `{"message":"bad request"}`, http.StatusBadRequest)
		return
	}
	v.Path, v.Auth = r.URL.EscapedPath(), r.Header.Get("Authorization")
	b.mu.Lock()
	b.calls = append(b.calls, v)
	b.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNoContent)
}

func (b *backupAPI) only(t *testing.T) validation {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.calls) != 1 {
		t.Fatalf("%d PutRestoreValidationResult calls, want 1: %+v", len(b.calls), b.calls)
	}
	return b.calls[0]
}

// restored is a migrated schema standing in for the restored instance,
// seeded with the demo data when seeded is set.
func restored(t *testing.T, seeded bool) func(context.Context, string) (restorecheck.DB, error) {
	t.Helper()
	schema := testenv.Schema(t)
	st, err := store.Open(t.Context(), testenv.DatabaseURL(), store.Options{SearchPath: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if seeded {
		if _, err := demo.Seed(t.Context(), booking.NewService(st, nil), st, demo.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	return func(ctx context.Context, arn string) (restorecheck.DB, error) {
		if arn != "arn:aws:rds:eu-west-1:123456789012:db:awsbackup-restore-test-0123456789" {
			t.Errorf("connects to %s, not the restored instance", arn)
		}
		cfg, err := pgx.ParseConfig(testenv.DatabaseURL())
		if err != nil {
			return nil, err
		}
		cfg.RuntimeParams["search_path"] = schema
		return pgx.ConnectConfig(ctx, cfg)
	}
}

func event(t *testing.T) events.CloudWatchEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "restorecheck", "restore-test-completed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func checker(t *testing.T, connect func(context.Context, string) (restorecheck.DB, error), out io.Writer) (*restorecheck.Checker, *backupAPI) {
	api := &backupAPI{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	return &restorecheck.Checker{
		Connect: connect, Backup: restorecheck.NewBackup(cfg, srv.URL), Out: out,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}, api
}

func TestARestoredDatabaseIsValidatedAndTimed(t *testing.T) {
	var out bytes.Buffer
	c, api := checker(t, restored(t, true), &out)
	if err := c.Handle(t.Context(), event(t)); err != nil {
		t.Fatal(err)
	}
	v := api.only(t)
	if v.ValidationStatus != "SUCCESSFUL" || !strings.Contains(v.ValidationStatusMessage, "schema version") || !strings.Contains(v.ValidationStatusMessage, "hotels 2") {
		t.Errorf("validation %+v", v)
	}
	if v.Path != "/restore-jobs/"+url.PathEscape("5A2D5C1F-0C5E-4B8C-9E35-7C1D1A7C2B11")+"/validations" {
		t.Errorf("path %s", v.Path)
	}
	if !strings.Contains(v.Auth, "/eu-west-1/backup/aws4_request") {
		t.Errorf("not signed for AWS Backup: %q", v.Auth)
	}
	line := bytes.TrimSpace(out.Bytes())
	if err := emf.Check(line); err != nil {
		t.Fatalf("metric line: %v\n%s", err, line)
	}
	var m map[string]any
	_ = json.Unmarshal(line, &m)
	// creationDate 03:00:00, completionDate 03:41:30 in the sample event.
	if m[restorecheck.RestoreMetric] != float64(41*60+30) {
		t.Errorf("%s = %v, want 2490", restorecheck.RestoreMetric, m[restorecheck.RestoreMetric])
	}
}

func TestAnEmptyRestoreFails(t *testing.T) {
	c, api := checker(t, restored(t, false), io.Discard)
	if err := c.Handle(t.Context(), event(t)); err != nil {
		t.Fatal(err)
	}
	if v := api.only(t); v.ValidationStatus != "FAILED" || !strings.Contains(v.ValidationStatusMessage, "no rows in hotels") {
		t.Errorf("validation %+v, want FAILED naming the empty tables", v)
	}
}

func TestAnUnreachableRestoreFails(t *testing.T) {
	c, api := checker(t, func(ctx context.Context, _ string) (restorecheck.DB, error) {
		return pgx.Connect(ctx, "postgres://postgres@"+testenv.FreeAddr(t)+"/innkeeper?connect_timeout=1")
	}, io.Discard)
	if err := c.Handle(t.Context(), event(t)); err != nil {
		t.Fatal(err)
	}
	if v := api.only(t); v.ValidationStatus != "FAILED" || !strings.Contains(v.ValidationStatusMessage, "connect") {
		t.Errorf("validation %+v, want FAILED", v)
	}
}

func TestRestoredURL(t *testing.T) {
	got, err := restorecheck.RestoredURL("postgres://innkeeper:pw@innkeeper-db.abc123xyz.eu-west-1.rds.amazonaws.com:5432/innkeeper?sslmode=require",
		"arn:aws:rds:eu-west-1:123456789012:db:awsbackup-restore-test-1")
	if err != nil || got != "postgres://innkeeper:pw@awsbackup-restore-test-1.abc123xyz.eu-west-1.rds.amazonaws.com:5432/innkeeper?sslmode=require" {
		t.Errorf("RestoredURL = %q, %v", got, err)
	}
	if _, err := restorecheck.RestoredURL("postgres://x@h:5432/d", "arn:aws:rds:eu-west-1:1:cluster:c"); err == nil {
		t.Error("a cluster ARN was taken for an instance")
	}
}
