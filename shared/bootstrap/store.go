package bootstrap

import (
	"context"

	"innkeeper/shared/config"
	"innkeeper/shared/store"
)

// Store opens the PostgreSQL store the configuration names, confined to
// the schema searchPath when it is not empty (tests).
func Store(ctx context.Context, cfg config.Config, searchPath string) (*store.Store, error) {
	if err := cfg.Require("DATABASE_URL"); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL, store.Options{
		MaxConns:         cfg.DBMaxConns,
		ConnectTimeout:   cfg.DBConnectTimeout,
		StatementTimeout: cfg.DBStatementTimeout,
		QueryTimeout:     cfg.DBQueryTimeout,
		SearchPath:       searchPath,
	})
}
