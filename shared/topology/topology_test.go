package topology

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const root = "../.."

func TestManifestIsValid(t *testing.T) {
	if err := Innkeeper.Validate(); err != nil {
		t.Fatal(err)
	}
}

// Every folder under functions/ is in the manifest and every function in
// the manifest has a folder with a main.go, and sample events.
func TestFunctionsMatchTheTree(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, d := range dirs {
		if d.IsDir() {
			onDisk = append(onDisk, d.Name())
		}
	}
	var declared []string
	for _, f := range Innkeeper.Functions {
		declared = append(declared, f.Name)
		if _, err := os.Stat(filepath.Join(root, f.Handler(), "main.go")); err != nil {
			t.Errorf("function %s: %v", f.Name, err)
		}
		events, _ := filepath.Glob(filepath.Join(root, "events", f.Name, "*.json"))
		if len(events) == 0 {
			t.Errorf("function %s has no sample event under events/%s/", f.Name, f.Name)
		}
	}
	slices.Sort(onDisk)
	slices.Sort(declared)
	if !slices.Equal(onDisk, declared) {
		t.Fatalf("functions/ holds %v, the manifest declares %v", onDisk, declared)
	}
}

// Every variable a function needs is one the configuration documents.
func TestFunctionEnvIsDocumented(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Innkeeper.Functions {
		for _, name := range f.Env {
			if !strings.Contains(string(raw), "\n"+name+"=") {
				t.Errorf("function %s needs %s, which .env.example does not document", f.Name, name)
			}
		}
	}
}

func TestValidateCatchesMistakes(t *testing.T) {
	good := Function{Name: "f", MemoryMB: 128, Timeout: time.Second, Arch: "arm64"}
	tests := []struct {
		name string
		m    Manifest
		want string
	}{
		{"twice", Manifest{Functions: []Function{good, good}}, "twice"},
		{"memory", Manifest{Functions: []Function{{Name: "f", MemoryMB: 64, Timeout: time.Second, Arch: "arm64"}}}, "memory"},
		{"timeout", Manifest{Functions: []Function{{Name: "f", MemoryMB: 128, Timeout: time.Hour, Arch: "arm64"}}}, "timeout"},
		{"route to nowhere", Manifest{Functions: []Function{good}, Routes: []Route{{"GET", "/x", "g", Public}}}, "no function g"},
		{"route twice", Manifest{Functions: []Function{good}, Routes: []Route{{"GET", "/x", "f", Public}, {"GET", "/x", "f", Public}}}, "twice"},
		{"connect replies", Manifest{Functions: []Function{good}, WebSocket: WebSocketAPI{Routes: []WebSocketRoute{{Key: "$connect", Function: "f", Reply: true}}}}, "cannot reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// The env lists are written out in full (static data, nothing to build
// at start); every function still reads the base settings, and every
// function with a database all of the database's.
func TestEnvListsShareTheirCommonParts(t *testing.T) {
	base := []string{"APP_ENV", "APP_VERSION", "LOG_LEVEL"}
	db := []string{"DATABASE_URL", "DB_MAX_CONNS", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH"}
	for _, f := range Innkeeper.Functions {
		for _, k := range base {
			if !slices.Contains(f.Env, k) {
				t.Errorf("function %s does not read %s", f.Name, k)
			}
		}
		if slices.Contains(f.Env, "DATABASE_URL") && !slices.Contains(f.Env, "DATABASE_AUTH") {
			t.Errorf("function %s reads DATABASE_URL but not DATABASE_AUTH", f.Name)
		}
		if f.Name == "migrate" || !slices.Contains(f.Env, "DATABASE_URL") {
			continue // migrate sets its own pool's size and timeouts
		}
		for _, k := range db {
			if !slices.Contains(f.Env, k) {
				t.Errorf("function %s reads DATABASE_URL but not %s", f.Name, k)
			}
		}
		seen := map[string]bool{}
		for _, k := range f.Env {
			if seen[k] {
				t.Errorf("function %s lists %s twice", f.Name, k)
			}
			seen[k] = true
		}
	}
}

// The Stripe settings go to the functions that call Stripe, all four to
// each (the api books and verifies webhooks; the worker refunds, charges
// fees and cancels intents), and to no other: the key reaches no more
// functions than need it.
func TestStripeSettingsOnlyWhereStripeIsCalled(t *testing.T) {
	stripe := []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "STRIPE_SECRET_ARN"}
	callers := []string{"api", "worker"}
	for _, f := range Innkeeper.Functions {
		for _, k := range stripe {
			if got, want := slices.Contains(f.Env, k), slices.Contains(callers, f.Name); got != want {
				t.Errorf("function %s reads %s: %v, want %v", f.Name, k, got, want)
			}
		}
	}
}
