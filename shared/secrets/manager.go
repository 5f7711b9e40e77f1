package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Manager is the Getter of AWS Secrets Manager: it makes the one call
// start-up needs, GetSecretValue, in the service's JSON 1.1 protocol,
// signed with the SDK's SigV4 signer.
//
// The SDK's secretsmanager package is not linked: its package
// initialisation (the operation schemas and the endpoint rules) alone
// cost every function about 1.4 ms of each cold start, more than the
// whole call it would make here.
type Manager struct {
	cfg      aws.Config
	endpoint string
	http     *http.Client
}

// NewManager is a Secrets Manager client for cfg's region and
// credentials, at endpoint when one is given (LocalStack, a test's
// fake), else at the region's public endpoint.
func NewManager(cfg aws.Config, endpoint string) *Manager {
	if endpoint == "" {
		endpoint = "https://secretsmanager." + cfg.Region + ".amazonaws.com"
	}
	return &Manager{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), http: &http.Client{}}
}

// GetSecretString calls GetSecretValue for arn.
func (c *Manager) GetSecretString(ctx context.Context, arn string) (string, error) {
	body, err := json.Marshal(map[string]string{"SecretId": arn})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("secrets: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("secrets: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", c.cfg.Region, time.Now()); err != nil {
		return "", fmt.Errorf("secrets: sign request: %w", err)
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
