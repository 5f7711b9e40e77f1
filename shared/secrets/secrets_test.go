package secrets

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

const (
	appARN   = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:innkeeper-app-AbCdEf"
	dbARN    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:innkeeper-db-GhIjKl"
	redisARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:innkeeper-redis-MnOpQr"

	proxyURL = "postgres://innkeeper@innkeeper.proxy-abc.eu-west-1.rds.amazonaws.com:5432/innkeeper?sslmode=require"
	cacheURL = "rediss://master.innkeeper.abc.euw1.cache.amazonaws.com:6379/0"
)

// fakeSM is Secrets Manager at the AWS boundary: secrets by ARN, errors by
// ARN, and the calls it got.
type fakeSM struct {
	secrets map[string]string
	errs    map[string]error
	// block makes every call wait for the context to end.
	block bool

	mu    sync.Mutex
	calls []string
}

func (f *fakeSM) GetSecretString(ctx context.Context, arn string) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, arn)
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return "", ctx.Err()
	}
	if err := f.errs[arn]; err != nil {
		return "", err
	}
	s, ok := f.secrets[arn]
	if !ok {
		return "", errors.New("ResourceNotFoundException: Secrets Manager can't find the specified secret.")
	}
	return s, nil
}

// mapEnv is an environment of its own, so tests run in parallel.
type mapEnv map[string]string

func (m mapEnv) Getenv(k string) string   { return m[k] }
func (m mapEnv) Setenv(k, v string) error { m[k] = v; return nil }
func with[M ~map[string]string](base M, kv ...string) M {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var deployed = mapEnv{
	"APP_ENV":             "production",
	"APP_SECRET_ARN":      appARN,
	"DATABASE_SECRET_ARN": dbARN,
	"REDIS_SECRET_ARN":    redisARN,
	"DATABASE_URL":        proxyURL,
	"REDIS_URL":           cacheURL,
}

const (
	appKey  = "k3y-0f-at-least-32-characters-0123456789"
	dbPass  = "Zx9-db-password"
	redPass = "Zx9-redis-token"
)

var goodSecrets = map[string]string{
	appARN:   `{"APP_KEY":"` + appKey + `","MAIL_FROM":"Innkeeper <bookings@example.com>","MAIL_STAFF_TO":"desk@example.com"}`,
	dbARN:    `{"username":"innkeeper","password":"` + dbPass + `","host":"innkeeper.cluster-xyz.eu-west-1.rds.amazonaws.com","port":5432,"dbname":"innkeeper","engine":"postgres"}`,
	redisARN: `{"password":"` + redPass + `"}`,
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name    string
		env     mapEnv
		secrets map[string]string
		// want are variables and their values after Resolve.
		want map[string]string
		// calls Secrets Manager should get, in any order.
		calls []string
	}{
		{
			name: "all three", env: deployed, secrets: goodSecrets, calls: []string{appARN, dbARN, redisARN},
			want: map[string]string{
				"APP_KEY":       appKey,
				"MAIL_FROM":     "Innkeeper <bookings@example.com>",
				"MAIL_STAFF_TO": "desk@example.com",
				"APP_KEY_NEXT":  "",
				"DATABASE_URL":  "postgres://innkeeper:" + dbPass + "@innkeeper.proxy-abc.eu-west-1.rds.amazonaws.com:5432/innkeeper?sslmode=require",
				"REDIS_URL":     "rediss://:" + redPass + "@master.innkeeper.abc.euw1.cache.amazonaws.com:6379/0",
			},
		},
		{
			name:    "the environment wins over the app secret",
			env:     with(deployed, "MAIL_FROM", "Staging <staging@example.com>", "APP_KEY", " "),
			secrets: goodSecrets, calls: []string{appARN, dbARN, redisARN},
			want: map[string]string{
				"MAIL_FROM":     "Staging <staging@example.com>",
				"APP_KEY":       appKey, // blank counts as unset, as in config
				"MAIL_STAFF_TO": "desk@example.com",
			},
		},
		{
			name:    "the database secret's username replaces the URL's",
			env:     mapEnv{"DATABASE_SECRET_ARN": dbARN, "DATABASE_URL": "postgres://someone:old@proxy:5432/innkeeper"},
			secrets: map[string]string{dbARN: `{"username":"rotated_user","password":"new"}`}, calls: []string{dbARN},
			want: map[string]string{"DATABASE_URL": "postgres://rotated_user:new@proxy:5432/innkeeper", "REDIS_URL": ""},
		},
		{
			name:    "no username in the secret keeps the URL's",
			env:     mapEnv{"DATABASE_SECRET_ARN": dbARN, "DATABASE_URL": proxyURL},
			secrets: map[string]string{dbARN: `{"password":"p"}`}, calls: []string{dbARN},
			want: map[string]string{"DATABASE_URL": "postgres://innkeeper:p@innkeeper.proxy-abc.eu-west-1.rds.amazonaws.com:5432/innkeeper?sslmode=require"},
		},
		{
			name:    "the app secret may set SMTP_ADDR for LocalStack",
			env:     mapEnv{"APP_SECRET_ARN": appARN},
			secrets: map[string]string{appARN: `{"SMTP_ADDR":"host.docker.internal:1025","APP_KEY_NEXT":""}`}, calls: []string{appARN},
			want: map[string]string{"SMTP_ADDR": "host.docker.internal:1025", "APP_KEY_NEXT": "", "DATABASE_URL": ""},
		},
		{
			name: "nothing configured: no calls", env: mapEnv{"DATABASE_URL": proxyURL, "APP_SECRET_ARN": "  "},
			secrets: goodSecrets, calls: nil,
			want: map[string]string{"DATABASE_URL": proxyURL, "APP_KEY": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sm := &fakeSM{secrets: tt.secrets}
			env := maps.Clone(tt.env)
			r := Resolver{Client: sm, Env: env, Known: known}
			if err := r.Resolve(context.Background()); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
			if got := sortedCalls(sm); strings.Join(got, ",") != strings.Join(sorted(tt.calls), ",") {
				t.Errorf("calls %v, want %v", got, tt.calls)
			}
			if !Configured(env.Getenv) && len(tt.calls) > 0 {
				t.Error("Configured is false for an environment with secrets")
			}
		})
	}
}

// Passwords with every character a URL treats specially come back intact
// through the drivers' own URL parsing.
func TestSpecialCharactersInPasswords(t *testing.T) {
	passwords := []struct {
		name string
		pw   string
	}{
		{"url delimiters", `p@ss:w/rd?#[]`},
		{"percent and plus", `100%+25%2F+x`},
		{"space and quotes", `a b"c'd\e`},
		{"ampersand and equals", `k=v&sslmode=disable`},
		{"unicode", "pässwörd-密码-🔑"},
		{"rds generated", `Zq~^(*!$)-_.,;<>|{}`},
	}
	for _, tt := range passwords {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user := "app:user@x" // escaping applies to the username too
			secret := func(m map[string]string) string {
				b, err := jsonMarshal(m)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			sm := &fakeSM{secrets: map[string]string{
				dbARN:    secret(map[string]string{"username": user, "password": tt.pw}),
				redisARN: secret(map[string]string{"password": tt.pw}),
			}}
			env := mapEnv{"DATABASE_SECRET_ARN": dbARN, "REDIS_SECRET_ARN": redisARN, "DATABASE_URL": proxyURL, "REDIS_URL": cacheURL}
			if err := (Resolver{Client: sm, Env: env}).Resolve(context.Background()); err != nil {
				t.Fatal(err)
			}
			pg, err := pgx.ParseConfig(env["DATABASE_URL"])
			if err != nil {
				t.Fatalf("pgx cannot parse the URL: %v", err)
			}
			if pg.Password != tt.pw || pg.User != user || pg.Host != "innkeeper.proxy-abc.eu-west-1.rds.amazonaws.com" || pg.Database != "innkeeper" || pg.TLSConfig == nil {
				t.Errorf("pgx reads user %q password %q host %q db %q tls %v", pg.User, pg.Password, pg.Host, pg.Database, pg.TLSConfig != nil)
			}
			rd, err := redis.ParseURL(env["REDIS_URL"])
			if err != nil {
				t.Fatalf("go-redis cannot parse the URL: %v", err)
			}
			if rd.Password != tt.pw || rd.Username != "" || rd.Addr != "master.innkeeper.abc.euw1.cache.amazonaws.com:6379" || rd.TLSConfig == nil || rd.DB != 0 {
				t.Errorf("go-redis reads user %q password %q addr %q db %d tls %v", rd.Username, rd.Password, rd.Addr, rd.DB, rd.TLSConfig != nil)
			}
		})
	}
}

// Every failure names the variable at fault, never a secret's value, and
// leaves the environment as it was.
func TestResolveErrors(t *testing.T) {
	const leak = "Sup3r-S3cret-Value"
	tests := []struct {
		name    string
		env     mapEnv
		secrets map[string]string
		errs    map[string]error
		// want are strings the error must contain.
		want []string
	}{
		{
			name: "bad JSON in the app secret", env: deployed,
			secrets: with(goodSecrets, appARN, `{"APP_KEY": "`+leak+`",`),
			want:    []string{"APP_SECRET_ARN", "not valid JSON"},
		},
		{
			name: "not JSON at all", env: deployed,
			secrets: with(goodSecrets, dbARN, leak),
			want:    []string{"DATABASE_SECRET_ARN", "not valid JSON"},
		},
		{
			name: "a JSON array", env: deployed,
			secrets: with(goodSecrets, redisARN, `["`+leak+`"]`),
			want:    []string{"REDIS_SECRET_ARN", "not a JSON object"},
		},
		{
			name: "a number for a string", env: deployed,
			secrets: with(goodSecrets, dbARN, `{"username":"u","password":12345}`),
			want:    []string{"DATABASE_SECRET_ARN", "password", "want a string"},
		},
		{
			name: "a non-string setting", env: deployed,
			secrets: with(goodSecrets, appARN, `{"APP_KEY":{"value":"`+leak+`"}}`),
			want:    []string{"APP_SECRET_ARN", "key APP_KEY: value is not a string"},
		},
		{
			name: "an unknown setting", env: deployed,
			secrets: with(goodSecrets, appARN, `{"MAIL_FORM":"`+leak+`"}`),
			want:    []string{"APP_SECRET_ARN", "key MAIL_FORM is not a setting"},
		},
		{
			name: "a key that is no variable name", env: deployed,
			secrets: with(goodSecrets, appARN, `{"APP KEY":"`+leak+`"}`),
			want:    []string{"APP_SECRET_ARN", `key "APP KEY" is not a variable name`},
		},
		{
			name: "no password", env: deployed,
			secrets: with(goodSecrets, redisARN, `{"token":"`+leak+`"}`),
			want:    []string{"REDIS_SECRET_ARN", "no password"},
		},
		{
			name: "fetch error", env: deployed, secrets: goodSecrets,
			errs: map[string]error{dbARN: errors.New("AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue")},
			want: []string{"DATABASE_SECRET_ARN", "get secret value", "AccessDeniedException"},
		},
		{
			name: "missing secret", env: with(deployed, "REDIS_SECRET_ARN", redisARN+"-gone"), secrets: goodSecrets,
			want: []string{"REDIS_SECRET_ARN", "ResourceNotFoundException"},
		},
		{
			name: "every problem at once", env: deployed,
			secrets: with(goodSecrets, appARN, leak, redisARN, `{}`),
			errs:    map[string]error{dbARN: errors.New("throttled")},
			want:    []string{"APP_SECRET_ARN", "DATABASE_SECRET_ARN", "REDIS_SECRET_ARN"},
		},
		{
			name: "a database secret without DATABASE_URL", env: with(deployed, "DATABASE_URL", ""), secrets: goodSecrets,
			want: []string{"DATABASE_SECRET_ARN is set but DATABASE_URL is empty"},
		},
		{
			name: "a URL that cannot be parsed", env: with(deployed, "DATABASE_URL", "postgres://u:"+leak+"%zz@proxy:5432/db"), secrets: goodSecrets,
			want: []string{"DATABASE_URL cannot be parsed"},
		},
		{
			name: "a URL without a host", env: with(deployed, "REDIS_URL", "127.0.0.1:6379"), secrets: goodSecrets,
			want: []string{"REDIS_URL cannot be parsed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := maps.Clone(tt.env)
			err := Resolver{Client: &fakeSM{secrets: tt.secrets, errs: tt.errs}, Env: env, Known: known}.Resolve(context.Background())
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			for _, secret := range []string{leak, dbPass, redPass, appKey, "Sup3r"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret value:\n%v", err)
				}
			}
			if !maps.Equal(env, tt.env) {
				t.Errorf("the environment changed despite the error:\n%v\nwas\n%v", env, tt.env)
			}
		})
	}
}

// A Secrets Manager that does not answer fails the start-up at the
// deadline, having asked for every secret at once.
func TestResolveTimesOut(t *testing.T) {
	t.Parallel()
	sm := &fakeSM{block: true}
	start := time.Now()
	err := Resolver{Client: sm, Env: maps.Clone(deployed), Timeout: 100 * time.Millisecond}.Resolve(context.Background())
	took := time.Since(start)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not answer within 100ms") {
		t.Fatalf("want a deadline error, got %v", err)
	}
	if took > time.Second {
		t.Fatalf("took %v: the three calls are not concurrent, or the deadline is not applied", took)
	}
	if len(sortedCalls(sm)) != 3 {
		t.Fatalf("calls %v", sm.calls)
	}
}

// The three secrets are fetched concurrently: each call waits until all
// three have started, which succeeds only if they overlap.
func TestResolveFetchesConcurrently(t *testing.T) {
	t.Parallel()
	var started sync.WaitGroup
	started.Add(3)
	sm := &barrierSM{fakeSM: fakeSM{secrets: goodSecrets}, started: &started}
	env := maps.Clone(deployed)
	if err := (Resolver{Client: sm, Env: env, Timeout: 2 * time.Second}).Resolve(context.Background()); err != nil {
		t.Fatalf("sequential fetches? %v", err)
	}
	if env["APP_KEY"] != appKey {
		t.Fatalf("APP_KEY not set")
	}
}

type barrierSM struct {
	fakeSM
	started *sync.WaitGroup
}

func (b *barrierSM) GetSecretString(ctx context.Context, arn string) (string, error) {
	b.started.Done()
	done := make(chan struct{})
	go func() { b.started.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return b.fakeSM.GetSecretString(ctx, arn)
}

func TestConfigured(t *testing.T) {
	tests := []struct {
		name string
		env  mapEnv
		want bool
	}{
		{"none", mapEnv{"DATABASE_URL": proxyURL}, false},
		{"blank", mapEnv{"APP_SECRET_ARN": " "}, false},
		{"app", mapEnv{"APP_SECRET_ARN": appARN}, true},
		{"database", mapEnv{"DATABASE_SECRET_ARN": dbARN}, true},
		{"redis", mapEnv{"REDIS_SECRET_ARN": redisARN}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Configured(tt.env.Getenv); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// known stands for config.Variables (this package does not import
// config).
var known = []string{"APP_ENV", "APP_KEY", "APP_KEY_NEXT", "MAIL_FROM", "MAIL_STAFF_TO", "SMTP_ADDR", "DATABASE_URL", "REDIS_URL"}

// The origin secret is a secret of its own (the CDN reads it too), of
// the app secret's shape: both of its values reach the environment.
func TestResolveOriginSecret(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin-AbCdEf"
	env := mapEnv{OriginSecretARN: arn}
	sm := &fakeSM{secrets: map[string]string{
		arn: `{"ORIGIN_SECRET":"current-origin-secret-0123456789abcdef","ORIGIN_SECRET_PREVIOUS":"previous-origin-secret-0123456789ab"}`,
	}}
	if !Configured(env.Getenv) {
		t.Fatal("Configured: ORIGIN_SECRET_ARN alone names no secret")
	}
	r := Resolver{Client: sm, Env: env, Known: []string{"ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS"}}
	if err := r.Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if env["ORIGIN_SECRET"] != "current-origin-secret-0123456789abcdef" || env["ORIGIN_SECRET_PREVIOUS"] != "previous-origin-secret-0123456789ab" {
		t.Errorf("environment after Resolve: %v", env)
	}
	sm.secrets[arn] = `{"ORIGIN_SECRT":"typo-0123456789abcdef0123456789abcdef"}`
	err := Resolver{Client: sm, Env: mapEnv{OriginSecretARN: arn}, Known: []string{"ORIGIN_SECRET"}}.Resolve(t.Context())
	if err == nil || !strings.Contains(err.Error(), "ORIGIN_SECRET_ARN") {
		t.Errorf("a key that is no setting: %v, want an error naming ORIGIN_SECRET_ARN", err)
	}
}

// The Stripe secret is a secret of its own (only the functions that call
// Stripe read it), of the app secret's shape. Its placeholder, empty
// values as deployed leave payments off until an operator sets them; the
// environment's own values win, as for the app secret.
func TestResolveStripeSecret(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf"
	settings := []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}
	env := mapEnv{StripeSecretARN: arn}
	sm := &fakeSM{secrets: map[string]string{arn: `{"STRIPE_SECRET_KEY":"","STRIPE_WEBHOOK_SECRET":""}`}}
	if !Configured(env.Getenv) {
		t.Fatal("Configured: STRIPE_SECRET_ARN alone names no secret")
	}
	if err := (Resolver{Client: sm, Env: env, Known: settings}).Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, set := env["STRIPE_SECRET_KEY"]; set {
		t.Fatalf("the placeholder set STRIPE_SECRET_KEY: %v", env)
	}

	sm.secrets[arn] = `{"STRIPE_SECRET_KEY":"sk_live_from-the-secret","STRIPE_WEBHOOK_SECRET":"whsec_from-the-secret"}`
	env = mapEnv{StripeSecretARN: arn}
	if err := (Resolver{Client: sm, Env: env, Known: settings}).Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if env["STRIPE_SECRET_KEY"] != "sk_live_from-the-secret" || env["STRIPE_WEBHOOK_SECRET"] != "whsec_from-the-secret" {
		t.Errorf("environment after Resolve: %v", env)
	}

	env = mapEnv{StripeSecretARN: arn, "STRIPE_SECRET_KEY": "sk_test_the-environments"}
	if err := (Resolver{Client: sm, Env: env, Known: settings}).Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if env["STRIPE_SECRET_KEY"] != "sk_test_the-environments" || env["STRIPE_WEBHOOK_SECRET"] != "whsec_from-the-secret" {
		t.Errorf("the environment's key must win: %v", env)
	}

	sm.secrets[arn] = `{"STRIPE_KEY":"sk_live_typo"}`
	err := Resolver{Client: sm, Env: mapEnv{StripeSecretARN: arn}, Known: settings}.Resolve(t.Context())
	if err == nil || !strings.Contains(err.Error(), "STRIPE_SECRET_ARN") || strings.Contains(err.Error(), "sk_live_typo") {
		t.Errorf("a key that is no setting: %v, want an error naming STRIPE_SECRET_ARN and no value", err)
	}
}
