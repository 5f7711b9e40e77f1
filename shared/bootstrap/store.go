package bootstrap

import (
	"context"
	"crypto/x509"
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
	pool, err := RootCAs(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	o.RootCAs = pool
	return store.Open(ctx, cfg.DatabaseURL, o)
}

// RootCAs are the CAs a database URL's server must chain to: the RDS
// CAs, embedded (the runtime's trust store lacks them), when the URL
// asks for verify-full without a CA file of its own; else nil, pgx's
// own choice.
func RootCAs(databaseURL string) (*x509.CertPool, error) {
	if !strings.Contains(databaseURL, "sslmode=verify-full") || strings.Contains(databaseURL, "sslrootcert=") {
		return nil, nil
	}
	return rdsca.Pool()
}
