package rdsca

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

// The bundle parses, every certificate is an RDS CA, and the region the
// stacks deploy to has a root valid for years.
func TestBundleHoldsTheRDSRoots(t *testing.T) {
	rest := PEM()
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatalf("certificate %d: %v", len(certs), err)
		}
		certs = append(certs, c)
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatal("the bundle has something that is not a certificate")
	}
	if len(certs) < 50 {
		t.Fatalf("%d certificates; the global bundle has over a hundred", len(certs))
	}
	roots := map[string]*x509.Certificate{}
	for _, c := range certs {
		if !c.IsCA || len(c.Subject.Organization) == 0 || c.Subject.Organization[0] != "Amazon Web Services, Inc." ||
			!strings.HasPrefix(c.Subject.CommonName, "Amazon RDS ") {
			t.Errorf("not an RDS CA: %s", c.Subject)
		}
		if strings.Contains(c.Subject.CommonName, " Root CA ") {
			roots[c.Subject.CommonName] = c
		}
	}
	for _, cn := range []string{"Amazon RDS eu-west-1 Root CA RSA2048 G1", "Amazon RDS eu-west-1 Root CA RSA4096 G1", "Amazon RDS eu-west-1 Root CA ECC384 G1"} {
		c, ok := roots[cn]
		if !ok {
			t.Errorf("no %s", cn)
			continue
		}
		if err := c.CheckSignatureFrom(c); err != nil {
			t.Errorf("%s is not self-signed: %v", cn, err)
		}
		if c.NotAfter.Before(time.Now().AddDate(5, 0, 0)) {
			t.Errorf("%s expires %s", cn, c.NotAfter)
		}
	}
	if _, err := Pool(); err != nil {
		t.Fatal(err)
	}
}
