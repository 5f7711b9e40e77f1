package config

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// deployed is a complete, valid staging or production environment.
func deployed(appEnv string, edits map[string]string) func(string) string {
	m := map[string]string{
		"APP_ENV": appEnv, "DATABASE_URL": "postgres://app@db.internal:5432/innkeeper", "REDIS_URL": "rediss://cache:6379/0",
		"APP_URL": "https://book.example.com", "APP_KEY": "a-secret-key-of-at-least-32-characters!",
		"CORS_ALLOWED_ORIGINS": "https://book.example.com", "WS_MANAGEMENT_ENDPOINT": "https://ws.example.com/prod",
	}
	for k, v := range edits {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestRequire(t *testing.T) {
	c, err := Load(deployed("production", map[string]string{"APP_URL": "", "APP_KEY": "", "WS_MANAGEMENT_ENDPOINT": ""}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		require []string
		want    []string // named in the error; none: no error
	}{
		{name: "present", require: []string{"DATABASE_URL", "REDIS_URL", "APP_ENV"}},
		{name: "APP_URL, APP_KEY and WS_MANAGEMENT_ENDPOINT are checked",
			require: []string{"DATABASE_URL", "APP_URL", "APP_KEY", "WS_MANAGEMENT_ENDPOINT"},
			want:    []string{"missing APP_URL, APP_KEY, WS_MANAGEMENT_ENDPOINT"}},
		{name: "unknown name", require: []string{"DATABASE_URL", "DATABSE_URL"}, want: []string{"unknown DATABSE_URL"}},
		{name: "both", require: []string{"APP_KEY", "NOPE"}, want: []string{"unknown NOPE", "missing APP_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Require(tt.require...)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Require(%v) passed", tt.require)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v does not say %q", err, w)
				}
			}
		})
	}
}

// Require can check every variable Load reads.
func TestRequireKnowsEveryVariable(t *testing.T) {
	values := Config{}.values()
	for _, v := range Variables {
		if _, ok := values[v]; !ok {
			t.Errorf("Require does not know %s", v)
		}
	}
	if len(values) != len(Variables) {
		t.Errorf("Require knows %d names, Load reads %d", len(values), len(Variables))
	}
}

func TestAppEnvIsRequired(t *testing.T) {
	for _, v := range []string{"", "  "} {
		_, err := Load(func(k string) string {
			if k == "APP_ENV" {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "APP_ENV: is required") {
			t.Errorf("APP_ENV=%q: %v", v, err)
		}
	}
}

func TestDeployedStagesRefuseDevelopmentValues(t *testing.T) {
	tests := []struct {
		name, variable, value string
		want                  string // "" for accepted
	}{
		{name: "public APP_KEY", variable: "APP_KEY", value: localAppKey, want: "APP_KEY: is a public development key"},
		{name: "public APP_KEY_NEXT", variable: "APP_KEY_NEXT", value: localAppKey, want: "APP_KEY_NEXT: is a public development key"},
		{name: "scan test APP_KEY_NEXT", variable: "APP_KEY_NEXT", value: publicKeys[2], want: "APP_KEY_NEXT: is a public development key"},
		{name: "public METRICS_TOKEN", variable: "METRICS_TOKEN", value: localMetricsToken, want: "METRICS_TOKEN: is the public development token"},
		{name: "http APP_URL", variable: "APP_URL", value: "http://book.example.com", want: "APP_URL: must be https://"},
		{name: "http origin", variable: "CORS_ALLOWED_ORIGINS", value: "https://a.example.com,http://b.example.com", want: "CORS_ALLOWED_ORIGINS: must all be https://"},
		{name: "secret METRICS_TOKEN", variable: "METRICS_TOKEN", value: "a-secret-metrics-token-0123"},
	}
	for _, appEnv := range []string{"staging", "production"} {
		for _, tt := range tests {
			t.Run(appEnv+"/"+tt.name, func(t *testing.T) {
				_, err := Load(deployed(appEnv, map[string]string{tt.variable: tt.value}))
				if tt.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("want %q, got %v", tt.want, err)
				}
			})
		}
	}
	// Local keeps them: the devstack runs on them.
	for _, appEnv := range []string{"local", "test"} {
		_, err := Load(env(map[string]string{"APP_ENV": appEnv, "APP_KEY_NEXT": localAppKey,
			"METRICS_TOKEN": localMetricsToken, "APP_URL": "http://127.0.0.1:3000"}))
		if err != nil {
			t.Errorf("%s: %v", appEnv, err)
		}
	}
}

// Every environment variable the code reads by name is a known one
// (Settings or Platform), so none escapes documentation and Require.
func TestEveryVariableReadIsKnown(t *testing.T) {
	root := "../.."
	readers := map[string]bool{"Getenv": true, "LookupEnv": true, "getenv": true,
		"str": true, "oneOf": true, "integer": true, "duration": true, "origins": true, "endpoint": true}
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", "dist", "cdk.out", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := goparser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !readers[name] || !ok || lit.Kind != token.STRING {
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			if v == "" || strings.ToUpper(v) != v || strings.ContainsAny(v, " -./:") {
				return true
			}
			found++
			if !Known(v) {
				t.Errorf("%s reads %s, which config does not know (add it to Settings or Platform)", path, v)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 40 {
		t.Fatalf("found only %d reads of variables; is the walk broken?", found)
	}
}
