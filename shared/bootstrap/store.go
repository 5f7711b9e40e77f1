package bootstrap

import (
	"context"
	"errors"
	"strings"

	"innkeeper/shared/config"
	"innkeeper/shared/dbauth"
	"innkeeper/shared/rdsca"
	"innkeeper/shared/store"
)

// Store opens the PostgreSQL store the configuration names, confined to
// the schema searchPath when it is not empty (tests).
func Store(ctx context.Context, cfg config.Config, searchPath string) (*store.Store, error) {
	if err := cfg.Require("DATABASE_URL"); err != nil {
		return nil, err
	}
	o := store.Options{
		MaxConns:         cfg.DBMaxConns,
		ConnectTimeout:   cfg.DBConnectTimeout,
		StatementTimeout: cfg.DBStatementTimeout,
		QueryTimeout:     cfg.DBQueryTimeout,
		SearchPath:       searchPath,
	}
	if cfg.DatabaseAuth == "iam" {
		// IAM tokens are sent as a password: only over verified TLS.
		if !strings.Contains(cfg.DatabaseURL, "sslmode=verify-full") {
			return nil, errors.New("bootstrap: DATABASE_AUTH=iam needs sslmode=verify-full in DATABASE_URL")
		}
		aws, err := AWSConfig(cfg.AWSEndpoint != "")
		if err != nil {
			return nil, err
		}
		o.Password = dbauth.IAM(aws.Region, aws.Credentials)
	}
	if strings.Contains(cfg.DatabaseURL, "sslmode=verify-full") && !strings.Contains(cfg.DatabaseURL, "sslrootcert=") {
		// The RDS CAs, embedded: the runtime's trust store lacks them.
		pool, err := rdsca.Pool()
		if err != nil {
			return nil, err
		}
		o.RootCAs = pool
	}
	return store.Open(ctx, cfg.DatabaseURL, o)
}
