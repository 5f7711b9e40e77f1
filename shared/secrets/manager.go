package secrets

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"innkeeper/shared/awsjson"
)

// Manager is the Getter of AWS Secrets Manager: it makes the one call
// start-up needs, GetSecretValue, in the service's JSON 1.1 protocol
// through package awsjson (the SDK's SigV4 signer and retry policy).
//
// The SDK's secretsmanager package is not linked: its package
// initialisation (the operation schemas and the endpoint rules) alone
// cost every function about 1.4 ms of each cold start, more than the
// whole call it would make here.
type Manager struct {
	api *awsjson.Client
}

// service is Secrets Manager as the SDK's client calls it.
var service = awsjson.Service{Name: "secretsmanager", TargetPrefix: "secretsmanager", Version: "1.1"}

// NewManager is a Secrets Manager client for cfg's region and
// credentials, at endpoint when one is given (LocalStack, a test's
// fake), else at the region's public endpoint.
func NewManager(cfg aws.Config, endpoint string) *Manager {
	return &Manager{api: awsjson.New(cfg, service, endpoint)}
}

// GetSecretString calls GetSecretValue for arn. A binary secret has no
// SecretString: its value is "".
func (c *Manager) GetSecretString(ctx context.Context, arn string) (string, error) {
	var out struct{ SecretString *string }
	if err := c.api.Call(ctx, "GetSecretValue", map[string]string{"SecretId": arn}, &out); err != nil {
		return "", err // awsjson's errors name the call
	}
	if out.SecretString == nil {
		return "", nil
	}
	return *out.SecretString, nil
}

// Actions are the IAM actions each call of Manager needs, by call: the
// infra tests check that every function making a call has them.
var Actions = map[string][]string{
	"GetSecretValue": {"secretsmanager:GetSecretValue"},
}
