// Package restorecheck validates AWS Backup's weekly restore test of
// the database: when a restore job of the restore testing plan
// completes, it connects to the restored instance, checks the schema
// version (the migrations table) and that the main tables hold rows,
// reports how long the restore took as the measured recovery time (an
// EMF metric, alarmed over an hour), and tells AWS Backup the outcome
// (PutRestoreValidationResult), after which the throwaway instance is
// deleted.
package restorecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/jackc/pgx/v5"

	"innkeeper/shared/awsjson"
	"innkeeper/shared/emf"
)

// EMFNamespace and RestoreMetric name the recovery time metric.
const (
	EMFNamespace  = "Innkeeper/Backup"
	RestoreMetric = "RestoreSeconds"
)

// Detail is the detail of AWS Backup's "Restore Job State Change" event.
type Detail struct {
	RestoreJobID          string    `json:"restoreJobId"`
	Status                string    `json:"status"`
	ResourceType          string    `json:"resourceType"`
	CreatedResourceARN    string    `json:"createdResourceArn"`
	RestoreTestingPlanARN string    `json:"restoreTestingPlanArn"`
	CreationDate          time.Time `json:"creationDate"`
	CompletionDate        time.Time `json:"completionDate"`
}

// DB is what the check asks of the restored database.
type DB interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Close(ctx context.Context) error
}

// Validator reports a restore's outcome to AWS Backup.
type Validator interface {
	PutRestoreValidationResult(ctx context.Context, jobID string, ok bool, message string) error
}

// Tables are the tables a restored production database must hold rows
// in: a restore without hotels or their rooms restored nothing useful.
var Tables = []string{"hotels", "room_types", "rate_plans", "inventory"}

// Checker validates restores.
type Checker struct {
	// Connect opens the restored instance the ARN names.
	Connect func(ctx context.Context, instanceARN string) (DB, error)
	Backup  Validator
	// Out receives the EMF line; Log the outcome.
	Out io.Writer
	Log *slog.Logger
}

// Handle validates the restore the event reports. A failed check is
// reported to AWS Backup and is no error of the invocation; an error
// means the result could not be reported, and EventBridge retries.
func (c *Checker) Handle(ctx context.Context, ev events.CloudWatchEvent) error {
	var d Detail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return fmt.Errorf("restorecheck: event detail: %w", err)
	}
	if d.Status != "COMPLETED" || d.RestoreJobID == "" || d.CreatedResourceARN == "" {
		c.Log.InfoContext(ctx, "restore not validated", slog.String("job", d.RestoreJobID), slog.String("status", d.Status))
		return nil
	}
	rto := d.CompletionDate.Sub(d.CreationDate)
	line, err := json.Marshal(map[string]any{
		"_aws":         emf.New(d.CompletionDate, EMFNamespace, [][]string{{"ResourceType"}}, []emf.Metric{{Name: RestoreMetric, Unit: "Seconds"}}),
		"ResourceType": d.ResourceType,
		RestoreMetric:  rto.Seconds(),
		"restoreJobId": d.RestoreJobID,
	})
	if err != nil {
		return fmt.Errorf("restorecheck: metric line: %w", err)
	}
	if _, err := fmt.Fprintf(c.Out, "%s\n", line); err != nil {
		return fmt.Errorf("restorecheck: write metric: %w", err)
	}
	summary, checkErr := c.check(ctx, d.CreatedResourceARN)
	msg := fmt.Sprintf("restored in %s; %s", rto.Round(time.Second), summary)
	if checkErr != nil {
		msg = fmt.Sprintf("restored in %s; check failed: %v", rto.Round(time.Second), checkErr)
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if err := c.Backup.PutRestoreValidationResult(ctx, d.RestoreJobID, checkErr == nil, msg); err != nil {
		return fmt.Errorf("restorecheck: report job %s: %w", d.RestoreJobID, err)
	}
	level := slog.LevelInfo
	if checkErr != nil {
		level = slog.LevelError
	}
	c.Log.Log(ctx, level, "restore validated", slog.String("job", d.RestoreJobID), slog.Bool("ok", checkErr == nil),
		slog.Float64("restore_seconds", rto.Seconds()), slog.String("message", msg))
	return nil
}

// check connects to the restored database and reads its schema version
// and the main tables' row counts.
func (c *Checker) check(ctx context.Context, arn string) (string, error) {
	db, err := c.Connect(ctx, arn)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer db.Close(context.WithoutCancel(ctx))
	var version int
	if err := db.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	if version < 1 {
		return "", errors.New("schema version: no migration applied")
	}
	parts := []string{fmt.Sprintf("schema version %d", version)}
	var empty []string
	for _, t := range Tables {
		var n int64
		// The names are this package's constants, never input.
		if err := db.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return "", fmt.Errorf("count %s: %w", t, err)
		}
		parts = append(parts, fmt.Sprintf("%s %d", t, n))
		if n == 0 {
			empty = append(empty, t)
		}
	}
	summary := strings.Join(parts, ", ")
	if len(empty) > 0 {
		return summary, fmt.Errorf("%s: no rows in %s", summary, strings.Join(empty, ", "))
	}
	return summary, nil
}

// Backup is AWS Backup's PutRestoreValidationResult, a REST-JSON call
// through package awsjson (the SDK's signer and retries, without its
// backup package).
type Backup struct{ api *awsjson.Client }

// Actions are the IAM actions each call of Backup needs, by call: the
// infra tests check that every function making a call has them.
var Actions = map[string][]string{
	"PutRestoreValidationResult": {"backup:PutRestoreValidationResult"},
}

// NewBackup is an AWS Backup client for cfg's region and credentials,
// at endpoint when one is given (a test's server).
func NewBackup(cfg aws.Config, endpoint string) *Backup {
	return &Backup{api: awsjson.New(cfg, awsjson.Service{Name: "backup", TargetPrefix: "Backup"}, endpoint)}
}

// PutRestoreValidationResult reports the outcome of restore job jobID.
func (b *Backup) PutRestoreValidationResult(ctx context.Context, jobID string, ok bool, message string) error {
	status := "SUCCESSFUL"
	if !ok {
		status = "FAILED"
	}
	in := map[string]string{"ValidationStatus": status, "ValidationStatusMessage": message}
	return b.api.CallREST(ctx, "PutRestoreValidationResult", http.MethodPut,
		"/restore-jobs/"+url.PathEscape(jobID)+"/validations", in, nil)
}

// InstanceID is the DB instance identifier an RDS ARN names
// (arn:aws:rds:<region>:<account>:db:<id>).
func InstanceID(arn string) (string, error) {
	i := strings.LastIndex(arn, ":db:")
	if !strings.HasPrefix(arn, "arn:") || i < 0 || i+4 >= len(arn) {
		return "", fmt.Errorf("restorecheck: %q is no RDS instance ARN", arn)
	}
	return arn[i+4:], nil
}

// RestoredURL is the URL of the restored instance: the live instance's
// URL with the first label of its host, the instance identifier,
// replaced (an instance's endpoint is <id>.<account and region
// suffix>). Credentials and options are kept.
func RestoredURL(liveURL, instanceARN string) (string, error) {
	id, err := InstanceID(instanceARN)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(liveURL)
	if err != nil || u.Host == "" {
		return "", errors.New("restorecheck: the database URL does not parse")
	}
	host, port := u.Hostname(), u.Port()
	_, suffix, ok := strings.Cut(host, ".")
	if !ok {
		return "", errors.New("restorecheck: the database host has no domain")
	}
	u.Host = id + "." + suffix
	if port != "" {
		u.Host += ":" + port
	}
	return u.String(), nil
}
