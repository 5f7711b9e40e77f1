// Package dbauth makes the password a function logs in to the database
// with when DATABASE_AUTH=iam: an RDS IAM authentication token, signed
// locally with the function's role and valid 15 minutes, made for each
// new connection. Nothing is read from Secrets Manager, so the rotation
// of the database secret never breaks a warm function.
package dbauth

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
)

// IAM returns a password source for store.Options.Password that signs
// a token for host:port and user with creds in region.
func IAM(region string, creds aws.CredentialsProvider) func(ctx context.Context, host string, port uint16, user string) (string, error) {
	return func(ctx context.Context, host string, port uint16, user string) (string, error) {
		endpoint := net.JoinHostPort(host, strconv.Itoa(int(port)))
		token, err := auth.BuildAuthToken(ctx, endpoint, region, user, creds)
		if err != nil {
			return "", fmt.Errorf("dbauth: token for %s@%s: %w", user, endpoint, err)
		}
		return token, nil
	}
}

// Actions are the IAM actions of each AWS call this package makes, for
// the infrastructure's grant checks. Signing is local; the proxy checks
// the token against rds-db:connect.
var Actions = map[string][]string{
	"BuildAuthToken": {"rds-db:connect"},
}
