package bootstrap

import (
	"context"
	"fmt"
	"os"

	"innkeeper/shared/config"
	"innkeeper/shared/secrets"
)

// Config is the function's configuration: the environment, completed
// from the Secrets Manager secrets it names (APP_SECRET_ARN,
// DATABASE_SECRET_ARN, REDIS_SECRET_ARN), then read and validated by
// config.FromEnv. When no secret is named, as in local and test runs,
// no client is built and nothing is fetched. Resolution is bounded by
// secrets.DefaultTimeout, so an unreachable Secrets Manager fails the
// start-up quickly; ctx may bound it further.
func Config(ctx context.Context) (config.Config, error) {
	if secrets.Configured(os.Getenv) {
		client, err := SecretsManager()
		if err != nil {
			return config.Config{}, err
		}
		r := secrets.Resolver{Client: client, Env: secrets.OS, Known: config.Variables}
		if err := r.Resolve(ctx); err != nil {
			return config.Config{}, fmt.Errorf("bootstrap: resolve secrets: %w", err)
		}
	}
	return config.FromEnv()
}

// SecretsManager is a Secrets Manager client for the environment's
// region and credentials, at AWS_ENDPOINT_URL_SECRETS_MANAGER or
// AWS_ENDPOINT_URL when one is set (LocalStack).
func SecretsManager() (secrets.Getter, error) {
	endpoint, err := config.SecretsEndpoint(os.Getenv)
	if err != nil {
		return nil, err
	}
	c, err := AWSConfig(endpoint != "")
	if err != nil {
		return nil, err
	}
	return secrets.NewManager(c, endpoint), nil
}
