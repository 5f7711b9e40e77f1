package dbauth_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jackc/pgx/v5/pgproto3"

	"innkeeper/shared/dbauth"
	"innkeeper/shared/store"
)

// fakePostgres is a server that asks every connection for a cleartext
// password, records it and refuses the login.
func fakePostgres(t *testing.T) (addr string, passwords <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				b := pgproto3.NewBackend(c, c)
				msg, err := b.ReceiveStartupMessage()
				if err != nil {
					return
				}
				if _, ok := msg.(*pgproto3.SSLRequest); ok {
					_, _ = c.Write([]byte("N"))
					if _, err := b.ReceiveStartupMessage(); err != nil {
						return
					}
				}
				b.Send(&pgproto3.AuthenticationCleartextPassword{})
				_ = b.Flush()
				_ = b.SetAuthType(pgproto3.AuthTypeCleartextPassword)
				m, err := b.Receive()
				if err != nil {
					return
				}
				if pw, ok := m.(*pgproto3.PasswordMessage); ok {
					got <- pw.Password
				}
				b.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01", Message: "test server"})
				_ = b.Flush()
			}()
		}
	}()
	return ln.Addr().String(), got
}

// With IAM authentication, each connection logs in with a token signed
// for its own host, port, user and region, not the URL's password.
func TestEachConnectionSendsASignedToken(t *testing.T) {
	addr, passwords := fakePostgres(t)
	host, port, _ := net.SplitHostPort(addr)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session")
	st, err := store.Open(context.Background(), fmt.Sprintf("postgres://innkeeper_app:stale@%s/innkeeper?sslmode=disable", addr),
		store.Options{Password: dbauth.IAM("eu-west-1", creds), ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var tokens []string
	for range 2 {
		if err := st.Ping(context.Background()); err == nil {
			t.Fatal("the test server refuses every login")
		}
		select {
		case pw := <-passwords:
			tokens = append(tokens, pw)
		case <-time.After(5 * time.Second):
			t.Fatal("no password reached the server")
		}
	}
	for _, tok := range tokens {
		if tok == "stale" {
			t.Fatal("the URL's password was sent")
		}
		u, err := url.Parse("https://" + tok)
		if err != nil {
			t.Fatalf("token %q: %v", tok, err)
		}
		q := u.Query()
		checks := map[string]bool{
			"endpoint":   u.Host == net.JoinHostPort(host, port),
			"action":     q.Get("Action") == "connect",
			"user":       q.Get("DBUser") == "innkeeper_app",
			"credential": strings.HasPrefix(q.Get("X-Amz-Credential"), "AKIDEXAMPLE/") && strings.HasSuffix(q.Get("X-Amz-Credential"), "/eu-west-1/rds-db/aws4_request"),
			"signature":  len(q.Get("X-Amz-Signature")) == 64,
			"session":    q.Get("X-Amz-Security-Token") == "session",
			"expiry":     q.Get("X-Amz-Expires") == "900",
		}
		for what, ok := range checks {
			if !ok {
				t.Errorf("token %s: wrong %s", tok, what)
			}
		}
	}
}
