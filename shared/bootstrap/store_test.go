package bootstrap

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"innkeeper/shared/config"
	"innkeeper/shared/rdsca"
)

// An IAM token is a password: it goes only over TLS that verifies the
// server.
func TestIAMNeedsVerifiedTLS(t *testing.T) {
	cfg := config.Config{DatabaseAuth: "iam", DatabaseURL: "postgres://innkeeper@proxy.example:5432/innkeeper?sslmode=require"}
	if _, err := Store(context.Background(), cfg, ""); err == nil || !strings.Contains(err.Error(), "verify-full") {
		t.Fatalf("IAM over unverified TLS: %v", err)
	}
}

// verify-full without a CA file of its own trusts the RDS CAs, and only
// them.
func TestVerifyFullTrustsTheRDSCAs(t *testing.T) {
	tests := []struct {
		name, url string
		rds       bool
	}{
		{"verify-full", "postgres://u@db.example:5432/x?sslmode=verify-full", true},
		{"own CA file", "postgres://u@db.example:5432/x?sslmode=verify-full&sslrootcert=/etc/ca.pem", false},
		{"local", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable", false},
	}
	var root *x509.Certificate
	for rest := rdsca.PEM(); root == nil; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			t.Fatal("no eu-west-1 G1 root in the bundle")
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err == nil && c.Subject.CommonName == "Amazon RDS eu-west-1 Root CA RSA2048 G1" {
			root = c
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := RootCAs(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if (pool != nil) != tt.rds {
				t.Fatalf("pool %v, want RDS CAs %v", pool != nil, tt.rds)
			}
			if pool == nil {
				return
			}
			if _, err := root.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
				t.Errorf("an RDS CA does not verify: %v", err)
			}
			if _, err := root.Verify(x509.VerifyOptions{Roots: x509.NewCertPool()}); err == nil {
				t.Error("the check cannot fail")
			}
		})
	}
}
