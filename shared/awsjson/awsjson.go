// Package awsjson calls AWS services that speak the AWS JSON protocols
// (1.0 and 1.1): POST / with the input as a JSON document, the operation
// in X-Amz-Target, signed with the SDK's SigV4 signer, and retried by
// the SDK's standard retry policy.
//
// It exists so that a function can make the one or two calls it needs of
// a service without linking that service's SDK package, whose package
// initialisation (generated schemas, endpoint rules, smithy serde) costs
// every cold start more than the calls it would make (see packages
// secrets and sqsjson for the figures). What it takes from the SDK's
// core is the part that must not be hand-written: the signer, the
// credentials, and the retry policy (which errors to retry, the backoff,
// the retry quota, the number of attempts).
//
// What it leaves out: endpoint rules beyond the standard
// https://<service>.<region>.amazonaws.com[.cn] (no FIPS, dual-stack or
// ISO partitions), clock-skew correction, x-amz-retry-after, and
// request compression.
package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// MaxResponse bounds the body of an answer the client reads: no answer
// of the operations called through it comes near, and a misbehaving
// endpoint must not make a function hold an unbounded body in memory.
const MaxResponse = 1 << 20

// Service is what every call to one service shares.
type Service struct {
	// Name is the service's SigV4 signing name, which is also its
	// endpoint prefix: "sqs", "secretsmanager".
	Name string
	// TargetPrefix is X-Amz-Target's part before the operation:
	// "AmazonSQS", "secretsmanager".
	TargetPrefix string
	// Version is the protocol's version, "1.0" or "1.1": the
	// Content-Type is application/x-amz-json-<Version>.
	Version string
	// Header is sent, and signed, with every request: SQS's
	// X-Amzn-Query-Mode, for instance.
	Header http.Header
}

// Client calls the operations of one service at one endpoint. It is safe
// for concurrent use; make one per process and reuse it, as its retry
// quota is shared by its calls, as an SDK client's is.
type Client struct {
	svc         Service
	contentType string
	endpoint    string
	region      string
	creds       aws.CredentialsProvider
	http        aws.HTTPClient
	retryer     aws.Retryer
	signer      *v4.Signer
}

// New is a client of svc for cfg's region and credentials. It calls
// endpoint when one is given (LocalStack, an emulator, a test's server),
// else cfg.BaseEndpoint, else the region's public endpoint. Like an SDK
// client it uses cfg.HTTPClient, cfg.Retryer and cfg.RetryMaxAttempts
// when they are set; otherwise the standard retryer (three attempts).
func New(cfg aws.Config, svc Service, endpoint string) *Client {
	if endpoint == "" {
		endpoint = aws.ToString(cfg.BaseEndpoint)
	}
	if endpoint == "" {
		endpoint = defaultEndpoint(svc.Name, cfg.Region)
	}
	creds := cfg.Credentials
	if creds != nil && !aws.IsCredentialsProvider(creds, (*aws.CredentialsCache)(nil)) {
		// As the SDK does: a provider that fetches (a role's, say) is
		// asked once per expiry, not once per request.
		creds = aws.NewCredentialsCache(creds)
	}
	var hc aws.HTTPClient = &http.Client{}
	if cfg.HTTPClient != nil {
		hc = cfg.HTTPClient
	}
	var r aws.Retryer
	if cfg.Retryer != nil {
		r = cfg.Retryer()
	}
	if r == nil {
		r = retry.NewStandard()
	}
	if cfg.RetryMaxAttempts > 0 {
		r = retry.AddWithMaxAttempts(r, cfg.RetryMaxAttempts)
	}
	return &Client{
		svc:         svc,
		contentType: "application/x-amz-json-" + svc.Version,
		endpoint:    strings.TrimSuffix(endpoint, "/"),
		region:      cfg.Region,
		creds:       creds,
		http:        hc,
		retryer:     r,
		signer:      v4.NewSigner(),
	}
}

// defaultEndpoint is the public endpoint of the service named in region:
// China's regions have their own domain.
func defaultEndpoint(service, region string) string {
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://" + service + "." + region + "." + domain
}

// Endpoint is the URL the client sends its requests to.
func (c *Client) Endpoint() string { return c.endpoint }

// Call sends operation op with in, encoded as JSON, and decodes the
// answer into out (nil to ignore it). A service's error comes back as an
// *Error in the chain; retryable failures are retried first, within ctx.
func (c *Client) Call(ctx context.Context, op string, in, out any) error {
	target := c.svc.TargetPrefix + "." + op
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// As the SDK's encoder: <, > and & as they are, not as \u003c…
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return fmt.Errorf("%s: encode input: %w", target, err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err := c.retrying(ctx, route{http.MethodPost, "/", target}, body, out); err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	return nil
}

// route is where a request goes: JSON-RPC services take every
// operation at / with its name in X-Amz-Target; REST-JSON services
// (AWS Backup, for one) take each at a method and path of its own.
type route struct {
	method, path, target string
}

// CallREST sends operation op of a REST-JSON service (restJson1) as
// method to path (escaped by the caller), with in as the JSON body (nil:
// none), and decodes the answer into out; errors and retries as Call's.
func (c *Client) CallREST(ctx context.Context, op, method, path string, in, out any) error {
	name := c.svc.TargetPrefix + "." + op
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encode input: %w", name, err)
		}
	}
	if err := c.retrying(ctx, route{method, path, ""}, body, out); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// retrying makes attempts as the SDK's retry middleware does: the
// retryer decides whether an error is worth another attempt, how many
// attempts there may be, how long to back off, and whether its quota
// allows a retry at all. It never waits past ctx's deadline: when the
// backoff would end after it, the last error is returned at once.
func (c *Client) retrying(ctx context.Context, rt route, body []byte, out any) error {
	r := c.retryer
	releaseRetry := nopRelease
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return &aws.RequestCanceledError{Err: err}
		}
		releaseAttempt := nopRelease
		if attempt == 1 {
			// Only a first attempt's success refills the quota, as in
			// the SDK.
			var err error
			if releaseAttempt, err = attemptToken(ctx, r); err != nil {
				return fmt.Errorf("retry token: %w", err)
			}
		}
		err := c.attempt(ctx, rt, body, out)
		_ = releaseRetry(err)
		_ = releaseAttempt(err)
		switch {
		case err == nil:
			return nil
		case !r.IsErrorRetryable(err):
			return err
		case r.MaxAttempts() > 0 && attempt >= r.MaxAttempts():
			return &retry.MaxAttemptsError{Attempt: attempt, Err: err}
		}
		var quotaErr error
		if releaseRetry, quotaErr = r.GetRetryToken(ctx, err); quotaErr != nil {
			return errors.Join(err, quotaErr)
		}
		delay, derr := r.RetryDelay(attempt, err)
		if derr != nil {
			return errors.Join(err, derr)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= delay {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return &aws.RequestCanceledError{Err: errors.Join(err, ctx.Err())}
		case <-t.C:
		}
	}
}

func nopRelease(error) error { return nil }

// attemptToken is the token of a first attempt.
func attemptToken(ctx context.Context, r aws.Retryer) (func(error) error, error) {
	if v2, ok := r.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.GetInitialToken(), nil
}

// attempt makes one signed request and reads its answer.
func (c *Client) attempt(ctx context.Context, rt route, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, rt.method, c.endpoint+rt.path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	for name, values := range c.svc.Header {
		req.Header[name] = values
	}
	if rt.target != "" {
		req.Header.Set("Content-Type", c.contentType)
		req.Header.Set("X-Amz-Target", rt.target)
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.creds == nil {
		return errors.New("no credentials")
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.svc.Name, c.region, time.Now()); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return sendFailed(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return sendFailed(ctx, err)
	}
	if len(data) > MaxResponse {
		return fmt.Errorf("HTTP %d with an answer over %d bytes", resp.StatusCode, MaxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp.StatusCode, resp.Header, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("HTTP %d with an answer that is not its JSON: %w", resp.StatusCode, err)
	}
	return nil
}

// sendFailed classifies a transport error as the SDK's HTTP handler
// does: cancelled when ctx ended (never retried), else a connection
// error, which the standard retryer retries (RetryableConnectionError).
func sendFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &aws.RequestCanceledError{Err: err}
	}
	return &connectionError{err: err}
}

// connectionError is a request that got no complete answer.
type connectionError struct{ err error }

func (e *connectionError) Error() string { return "send request: " + e.err.Error() }

func (e *connectionError) Unwrap() error { return e.err }

// ConnectionError marks the error for the SDK's RetryableConnectionError
// check: a request that may not have reached the service is retried.
func (e *connectionError) ConnectionError() bool { return true }
