package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"innkeeper/local/demo"
	"innkeeper/local/seed"
	"innkeeper/local/smoke"
	"innkeeper/local/testenv"
)

// A new stage as the runbook brings it up, on the devstack: an empty
// database (migrated, no hotel, no key), the first admin key through the
// migrate function (make admin-key), a second refused, the demo
// catalogue sent through the admin API with that key (make seed), twice,
// and then the smoke test passes with that key as its staff key.
func TestNewStage(t *testing.T) {
	mailpit := testenv.StartMailpit(t)
	var opts *Options
	s, log := startStack(t, func(o *Options) {
		o.Empty, o.SMTPAddr = true, mailpit.SMTPAddr
		opts = o
	})
	if s.AdminKey != "" {
		t.Fatalf("an empty stack made the key %q", s.AdminKey)
	}
	resp, err := http.Get(s.URL + "/v1/hotels")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(body.String(), `"hotels":[]`) {
		t.Fatalf("an empty stack has hotels: %s", body.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var fnLog lockedBuffer
	ko := *opts
	ko.Log = &fnLog
	key, err := AdminKey(ctx, ko, "ops", false)
	if err != nil {
		t.Fatalf("admin key: %v\n%s", err, fnLog.String())
	}
	if _, err := AdminKey(ctx, ko, "ops again", false); err == nil || !strings.Contains(err.Error(), "FORCE=1") {
		t.Fatalf("second admin key: %v, want a refusal", err)
	}
	if strings.Contains(fnLog.String(), key.Secret) || !strings.Contains(fnLog.String(), "admin key refused") {
		t.Fatalf("the function's log holds the secret, or does not note the refusal:\n%s", fnLog.String())
	}

	file := filepath.Join(root, demo.Path)
	env := map[string]string{"ADMIN_KEY": key.Secret}
	for run := range 2 {
		var out bytes.Buffer
		if err := seed.Run(ctx, []string{"-url", s.URL, "-file", file}, func(k string) string { return env[k] }, &out); err != nil {
			t.Fatalf("seed run %d: %v\n%s", run+1, err, out.String())
		}
		if created := strings.Contains(out.String(), "created hotel lisbon-riverside"); created != (run == 0) {
			t.Fatalf("seed run %d:\n%s", run+1, out.String())
		}
	}

	var out bytes.Buffer
	cfg := smoke.Config{URL: s.URL, WSURL: s.WSURL, MailpitURL: mailpit.APIURL, StaffKey: key.Secret}
	if !smoke.Run(ctx, cfg, &out) {
		t.Fatalf("smoke failed on the new stage:\n%s\nstack log:\n%s", out.String(), log.String())
	}
	for _, check := range []string{"hotels", "create-reservation", "email-confirmation", "email-cancellation", "websocket-staff"} {
		if !strings.Contains(out.String(), "PASS "+check+" ") {
			t.Errorf("no PASS for %s:\n%s", check, out.String())
		}
	}
}
