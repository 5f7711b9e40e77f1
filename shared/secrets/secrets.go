// Package secrets completes a Lambda function's environment from AWS
// Secrets Manager at start-up, before the configuration is read, so the
// deployed templates and the functions' environments never hold a
// secret: they hold the ARNs of the secrets instead.
//
// Five variables name secrets, each of a known shape:
//
//   - APP_SECRET_ARN: a JSON object of configuration variables and their
//     values ({"APP_KEY": "…", "MAIL_FROM": "…"}). Each becomes an
//     environment variable unless the environment already sets it.
//   - ORIGIN_SECRET_ARN: the same shape, for the API's origin secret
//     ({"ORIGIN_SECRET": "…", "ORIGIN_SECRET_PREVIOUS": "…"}), a secret
//     of its own because the CDN reads it too.
//   - STRIPE_SECRET_ARN: the same shape, for Stripe's secret key and the
//     webhook endpoint's signing secret ({"STRIPE_SECRET_KEY": "…",
//     "STRIPE_WEBHOOK_SECRET": "…"}), a secret of its own because only
//     the functions that call Stripe may read it, and an operator sets it
//     from Stripe's dashboard.
//   - DATABASE_SECRET_ARN: the secret RDS generates ({"username",
//     "password", "host", …}). Its username and password go into
//     DATABASE_URL's userinfo; host, port and database stay DATABASE_URL's,
//     because the functions reach the database through RDS Proxy, not at
//     the instance's host the secret names.
//   - REDIS_SECRET_ARN: {"password": "…"}, which goes into REDIS_URL's
//     userinfo (rediss://:password@host:port/0).
//
// The package never logs, and its errors name variables and keys, never a
// value.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// The variables that name the secrets.
const (
	AppSecretARN      = "APP_SECRET_ARN"
	DatabaseSecretARN = "DATABASE_SECRET_ARN"
	RedisSecretARN    = "REDIS_SECRET_ARN"
	OriginSecretARN   = "ORIGIN_SECRET_ARN"
	StripeSecretARN   = "STRIPE_SECRET_ARN"
)

// DefaultTimeout bounds the whole resolution when Resolver.Timeout is
// zero: a Secrets Manager that does not answer fails the start-up within
// it, rather than hanging until Lambda's 10 s init limit.
const DefaultTimeout = 3 * time.Second

// Getter is the one Secrets Manager call the package makes
// (GetSecretValue); Manager implements it, tests use a fake.
type Getter interface {
	// GetSecretString is the SecretString of the secret arn.
	GetSecretString(ctx context.Context, arn string) (string, error)
}

// Env is the environment Resolve reads and completes.
type Env interface {
	Getenv(name string) string
	Setenv(name, value string) error
}

// OS is the process environment.
var OS Env = osEnv{}

type osEnv struct{}

func (osEnv) Getenv(name string) string       { return os.Getenv(name) }
func (osEnv) Setenv(name, value string) error { return os.Setenv(name, value) }

// Configured reports whether getenv names any secret. Without one there is
// nothing to resolve, and no client need be built.
func Configured(getenv func(string) string) bool {
	for _, name := range []string{AppSecretARN, DatabaseSecretARN, RedisSecretARN, OriginSecretARN, StripeSecretARN} {
		if strings.TrimSpace(getenv(name)) != "" {
			return true
		}
	}
	return false
}

// Resolver fetches the secrets its environment names and completes the
// environment with them.
type Resolver struct {
	Client Getter
	// Env is read and completed; OS when nil.
	Env Env
	// Timeout bounds Resolve; DefaultTimeout when zero.
	Timeout time.Duration
	// Known, when not empty, lists the variables the app secret may set:
	// a key outside it (a typo such as MAIL_FORM) stops the start-up
	// instead of leaving the setting at its default unnoticed.
	Known []string
}

// Resolve fetches the named secrets concurrently, checks them all, and
// only then sets the environment: on any error it reports every problem
// at once and sets nothing.
//
// A variable the environment already sets (to a non-empty value, as the
// configuration counts "set") wins over the app secret. The environment
// is what a deployment sets for one function, visibly and on purpose,
// while the secret is shared by every function of a stage: letting the
// environment win lets one function, a LocalStack stage or a local run
// override a setting (SMTP_ADDR, say) without editing the shared secret,
// and it is the rule the devstack follows for .env files too. Database
// and Redis credentials are different: they are not settings but the
// secret's own content, rotated there, so the secrets' username and
// password always replace whatever DATABASE_URL and REDIS_URL carry.
func (r Resolver) Resolve(ctx context.Context) error {
	type job struct {
		variable string // APP_SECRET_ARN, …
		arn      string
		value    string
		err      error
	}
	if r.Env == nil {
		r.Env = OS
	}
	var jobs []*job
	for _, name := range []string{AppSecretARN, DatabaseSecretARN, RedisSecretARN, OriginSecretARN, StripeSecretARN} {
		if arn := strings.TrimSpace(r.Env.Getenv(name)); arn != "" {
			jobs = append(jobs, &job{variable: name, arn: arn})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d).Round(time.Millisecond) // the caller's is sooner: say so in errors
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.value, j.err = fetch(ctx, r.Client, j.variable, j.arn, timeout) })
	}
	wg.Wait()

	// The values to set, checked in full before any is set.
	set := map[string]string{}
	var order []string
	put := func(name, value string) {
		if _, ok := set[name]; !ok {
			order = append(order, name)
		}
		set[name] = value
	}
	// current is the environment as it will be once set is applied.
	current := func(name string) string {
		if v, ok := set[name]; ok {
			return v
		}
		return r.Env.Getenv(name)
	}
	var errs []error
	for _, j := range jobs {
		if j.err != nil {
			errs = append(errs, j.err)
			continue
		}
		var err error
		switch j.variable {
		case AppSecretARN, OriginSecretARN, StripeSecretARN:
			err = r.app(j.variable, j.value, put)
		case DatabaseSecretARN:
			err = databaseURL(j.value, current, put)
		case RedisSecretARN:
			err = redisURL(j.value, current, put)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, name := range order {
		if err := r.Env.Setenv(name, set[name]); err != nil {
			return fmt.Errorf("secrets: set %s: %w", name, err)
		}
	}
	return nil
}

// fetch is the SecretString of the secret arn that variable names.
func fetch(ctx context.Context, c Getter, variable, arn string, timeout time.Duration) (string, error) {
	out, err := c.GetSecretString(ctx, arn)
	switch {
	case err != nil && ctx.Err() != nil:
		return "", fmt.Errorf("secrets: %s: Secrets Manager did not answer within %v: %w", variable, timeout, err)
	case err != nil:
		return "", fmt.Errorf("secrets: %s: get secret value: %w", variable, err)
	case out == "":
		return "", fmt.Errorf("secrets: %s: the secret has no SecretString (a binary secret?); want a JSON object", variable)
	}
	return out, nil
}

// app sets each variable of the app secret the environment does not set.
func (r Resolver) app(variable, raw string, put func(name, value string)) error {
	var m map[string]json.RawMessage
	if err := decode(raw, &m); err != nil {
		return fmt.Errorf("secrets: %s: %w", variable, err)
	}
	if m == nil {
		return fmt.Errorf("secrets: %s: the secret is null, want a JSON object", variable)
	}
	var problems []string
	for name, v := range m {
		var s string
		switch {
		case !validName(name):
			problems = append(problems, fmt.Sprintf("key %q is not a variable name", name))
			continue
		case len(r.Known) > 0 && !slices.Contains(r.Known, name):
			problems = append(problems, fmt.Sprintf("key %s is not a setting (see .env.example)", name))
			continue
		case json.Unmarshal(v, &s) != nil:
			problems = append(problems, fmt.Sprintf("key %s: value is not a string", name))
			continue
		}
		if s == "" || strings.TrimSpace(r.Env.Getenv(name)) != "" {
			continue // the environment's value wins, see Resolve
		}
		put(name, s)
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("secrets: %s: %s", variable, strings.Join(problems, "; "))
	}
	return nil
}

// databaseURL puts the RDS secret's credentials into DATABASE_URL.
func databaseURL(raw string, current func(string) string, put func(name, value string)) error {
	var s struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(raw, &s); err != nil {
		return fmt.Errorf("secrets: %s: %w", DatabaseSecretARN, err)
	}
	if s.Password == "" {
		return fmt.Errorf("secrets: %s: the secret has no password", DatabaseSecretARN)
	}
	var user *string
	if s.Username != "" {
		user = &s.Username
	}
	u, err := withCredentials("DATABASE_URL", DatabaseSecretARN, current("DATABASE_URL"), user, s.Password)
	if err != nil {
		return err
	}
	put("DATABASE_URL", u)
	return nil
}

// redisURL puts the Redis secret's password into REDIS_URL, with an empty
// username: Redis's AUTH with a password only.
func redisURL(raw string, current func(string) string, put func(name, value string)) error {
	var s struct {
		Password string `json:"password"`
	}
	if err := decode(raw, &s); err != nil {
		return fmt.Errorf("secrets: %s: %w", RedisSecretARN, err)
	}
	if s.Password == "" {
		return fmt.Errorf("secrets: %s: the secret has no password", RedisSecretARN)
	}
	empty := ""
	u, err := withCredentials("REDIS_URL", RedisSecretARN, current("REDIS_URL"), &empty, s.Password)
	if err != nil {
		return err
	}
	put("REDIS_URL", u)
	return nil
}

// decode unmarshals a secret's JSON object into v. Its errors say where
// the JSON is wrong but never quote it: encoding/json's messages can
// include a piece of the input, here a piece of a secret.
func decode(raw string, v any) error {
	err := json.Unmarshal([]byte(raw), v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return fmt.Errorf("the secret is not valid JSON (error at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("the secret's %s is a JSON %s, want a string", typ.Field, typ.Value)
	default:
		return errors.New("the secret is not a JSON object of strings")
	}
}

func validName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
