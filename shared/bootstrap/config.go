package bootstrap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

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
//
// It makes the one call start-up needs, GetSecretValue, in the service's
// JSON 1.1 protocol, signed with the SDK's SigV4 signer. The SDK's
// secretsmanager package is not linked: its package initialisation (the
// operation schemas and the endpoint rules) alone cost every function
// about 1.4 ms of each cold start, more than the whole call it would
// make here.
func SecretsManager() (secrets.Getter, error) {
	endpoint, err := config.SecretsEndpoint(os.Getenv)
	if err != nil {
		return nil, err
	}
	c, err := AWSConfig(endpoint != "")
	if err != nil {
		return nil, err
	}
	if endpoint == "" {
		endpoint = "https://secretsmanager." + c.Region + ".amazonaws.com"
	}
	return &secretsClient{cfg: c, endpoint: strings.TrimSuffix(endpoint, "/"), http: &http.Client{}}, nil
}

// secretsClient is SecretsManager's client.
type secretsClient struct {
	cfg      aws.Config
	endpoint string
	http     *http.Client
}

// GetSecretString calls GetSecretValue for arn.
func (c *secretsClient) GetSecretString(ctx context.Context, arn string) (string, error) {
	body, err := json.Marshal(map[string]string{"SecretId": arn})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("bootstrap: secrets request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("bootstrap: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", c.cfg.Region, time.Now()); err != nil {
		return "", fmt.Errorf("bootstrap: sign secrets request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		SecretString *string
		Type         string `json:"__type"`
		Message      string `json:"message"`
		MessageCap   string `json:"Message"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return "", fmt.Errorf("Secrets Manager answered %d with no JSON", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		msg := out.Message
		if msg == "" {
			msg = out.MessageCap
		}
		kind := out.Type[strings.LastIndex(out.Type, "#")+1:]
		return "", fmt.Errorf("%s: %s (HTTP %d)", kind, msg, resp.StatusCode)
	}
	if out.SecretString == nil {
		return "", nil
	}
	return *out.SecretString, nil
}
