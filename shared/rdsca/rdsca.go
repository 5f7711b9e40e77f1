// Package rdsca embeds the Amazon RDS certificate authorities, so the
// functions verify the database server (sslmode=verify-full) against
// them and nothing else: the Lambda runtime's own trust store does not
// hold them, and a file beside the binary would be one more thing to
// deploy.
//
// global-bundle.pem is AWS's global bundle of RDS CAs, as published at
// https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem.
// This copy (sha256 fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f,
// 115 certificates, the 2019 CAs and the G1 roots of every region of
// mid-2023) was taken from a public repository that vendors it
// (huggingface/chat-ui, commit 3dbeff38) because the build machine had
// no route to AWS; it should be compared with the published bundle and
// replaced by it before relying on it (docs/runbook.md, "Database TLS").
package rdsca

import (
	"crypto/x509"
	_ "embed"
	"errors"
	"sync"
)

//go:embed global-bundle.pem
var bundle []byte

// PEM is the embedded bundle.
func PEM() []byte { return bundle }

// Pool is the embedded CAs as a certificate pool.
var Pool = sync.OnceValues(func() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		return nil, errors.New("rdsca: the embedded bundle holds no certificate")
	}
	return pool, nil
})
