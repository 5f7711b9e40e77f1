package sqsjson_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/shared/queue"
	"innkeeper/shared/sqsjson"
)

// request is what a recording server got.
type request struct {
	header http.Header
	method string
	path   string
	body   []byte
}

// recorder answers every request with answer and records it.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

func newRecorder(t *testing.T, answer func(n int) (int, string)) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.requests)
		r.requests = append(r.requests, request{req.Header.Clone(), req.Method, req.URL.Path, body})
		r.mu.Unlock()
		status, out := answer(n)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) got() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// scope is the parts of a SigV4 Authorization header's credential scope
// and its signed headers.
type scope struct {
	key, region, service string
	signed               []string
}

func parseAuthorization(t *testing.T, auth string) scope {
	t.Helper()
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		t.Fatalf("not SigV4: %q", auth)
	}
	var s scope
	for _, part := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "Credential": // key/date/region/service/aws4_request
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				t.Fatalf("credential %q", v)
			}
			s.key, s.region, s.service = f[0], f[2], f[3]
		case "SignedHeaders":
			s.signed = strings.Split(v, ";")
		}
	}
	return s
}

// messages is a batch as the publisher builds it.
var messages = []queue.Message{
	{ID: "41", Body: `{"type":"reservation.held","reference":"INK-AAAAAA"}`, Attributes: map[string]queue.Attribute{
		"event_type": {DataType: "String", Value: "reservation.held"}, "outbox_id": {DataType: "Number", Value: "41"}}},
	{ID: "42", Body: "é \"quoted\" <tag> & \u2028", Attributes: map[string]queue.Attribute{
		"event_type": {DataType: "String", Value: "reservation.cancelled"}, "outbox_id": {DataType: "Number", Value: "42"}}},
}

// sdkBatch is messages as the SDK's input, as package queue built it
// when it used the SDK's client.
func sdkBatch(url string) *awssqs.SendMessageBatchInput {
	in := &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url)}
	for _, m := range messages {
		attrs := map[string]types.MessageAttributeValue{}
		for name, a := range m.Attributes {
			attrs[name] = types.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.Value)}
		}
		in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(m.ID), MessageBody: aws.String(m.Body), MessageAttributes: attrs})
	}
	return in
}

// The SDK's client and this one, given the same input, send the same
// request: method, path, the protocol's headers, the same JSON, signed
// for SQS in the same region with the same key.
func TestRequestsMatchTheSDK(t *testing.T) {
	const queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/events"
	tests := []struct {
		name   string
		answer string
		sdk    func(context.Context, *awssqs.Client) error
		ours   func(context.Context, *sqsjson.Client) error
	}{
		{
			name:   "SendMessageBatch",
			answer: `{"Successful":[],"Failed":[]}`,
			sdk: func(ctx context.Context, c *awssqs.Client) error {
				_, err := c.SendMessageBatch(ctx, sdkBatch(queueURL))
				return err
			},
			ours: func(ctx context.Context, c *sqsjson.Client) error {
				_, _, err := c.SendMessageBatch(ctx, queueURL, messages)
				return err
			},
		},
		{
			name:   "GetQueueAttributes",
			answer: `{"Attributes":{"ApproximateNumberOfMessages":"3"}}`,
			sdk: func(ctx context.Context, c *awssqs.Client) error {
				_, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{
					types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
					types.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
				return err
			},
			ours: func(ctx context.Context, c *sqsjson.Client) error {
				_, err := c.GetQueueAttributes(ctx, queueURL, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
				return err
			},
		},
		{
			name:   "StartMessageMoveTask",
			answer: `{"TaskHandle":"eyJ0YXNrSWQiOiIxIn0="}`,
			sdk: func(ctx context.Context, c *awssqs.Client) error {
				_, err := c.StartMessageMoveTask(ctx, &awssqs.StartMessageMoveTaskInput{
					SourceArn: aws.String("arn:aws:sqs:eu-west-1:123456789012:events-dlq"), DestinationArn: aws.String("arn:aws:sqs:eu-west-1:123456789012:events")})
				return err
			},
			ours: func(ctx context.Context, c *sqsjson.Client) error {
				_, err := c.StartMessageMoveTask(ctx, "arn:aws:sqs:eu-west-1:123456789012:events-dlq", "arn:aws:sqs:eu-west-1:123456789012:events")
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, func(int) (int, string) { return 200, tt.answer })
			cfg := localConfig()
			cfg.BaseEndpoint = aws.String(rec.URL)
			if err := tt.sdk(context.Background(), awssqs.NewFromConfig(cfg)); err != nil {
				t.Fatalf("SDK: %v", err)
			}
			if err := tt.ours(context.Background(), sqsjson.New(localConfig(), rec.URL)); err != nil {
				t.Fatalf("sqsjson: %v", err)
			}
			got := rec.got()
			if len(got) != 2 {
				t.Fatalf("%d requests, want the SDK's and ours", len(got))
			}
			sdk, ours := got[0], got[1]
			for _, r := range []struct {
				who string
				request
			}{{"SDK ", sdk}, {"ours", ours}} {
				t.Logf("%s: %s %s Content-Type=%s X-Amz-Target=%s X-Amzn-Query-Mode=%s\n      Authorization=%s\n      %s", r.who, r.method, r.path,
					r.header.Get("Content-Type"), r.header.Get("X-Amz-Target"), r.header.Get("X-Amzn-Query-Mode"), r.header.Get("Authorization"), r.body)
			}
			if sdk.method != ours.method || sdk.path != ours.path || ours.method != http.MethodPost || ours.path != "/" {
				t.Errorf("SDK %s %s, ours %s %s", sdk.method, sdk.path, ours.method, ours.path)
			}
			for _, h := range []string{"Content-Type", "X-Amz-Target", "X-Amzn-Query-Mode"} {
				if s, o := sdk.header.Values(h), ours.header.Values(h); !slices.Equal(s, o) || len(o) != 1 {
					t.Errorf("%s: SDK %q, ours %q", h, s, o)
				}
			}
			if o := ours.header.Get("X-Amz-Target"); o != "AmazonSQS."+tt.name {
				t.Errorf("X-Amz-Target %q", o)
			}
			var sdkBody, ourBody any
			if err := json.Unmarshal(sdk.body, &sdkBody); err != nil {
				t.Fatalf("SDK body %s: %v", sdk.body, err)
			}
			if err := json.Unmarshal(ours.body, &ourBody); err != nil {
				t.Fatalf("our body %s: %v", ours.body, err)
			}
			if !reflect.DeepEqual(sdkBody, ourBody) {
				t.Errorf("bodies differ:\nSDK  %s\nours %s", sdk.body, ours.body)
			}
			s, o := parseAuthorization(t, sdk.header.Get("Authorization")), parseAuthorization(t, ours.header.Get("Authorization"))
			if o.service != "sqs" || o.region != "eu-west-1" || o.key != "local" || s.service != o.service || s.region != o.region || s.key != o.key {
				t.Errorf("signed for %+v, the SDK for %+v", o, s)
			}
			for _, h := range []string{"content-type", "host", "x-amz-date", "x-amz-target", "x-amzn-query-mode"} {
				if !slices.Contains(o.signed, h) || !slices.Contains(s.signed, h) {
					t.Errorf("%s not signed: ours %v, SDK's %v", h, o.signed, s.signed)
				}
			}
			for _, h := range o.signed {
				if !slices.Contains(s.signed, h) {
					t.Errorf("we sign %s, which the SDK does not send: %v", h, s.signed)
				}
			}
		})
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Like the SDK's client, SendMessageBatch fails when SQS reports a body
// checksum that is not the body's.
func TestSendMessageBatchChecksBodies(t *testing.T) {
	answer := func(md5s ...string) string {
		var entries []string
		for i, m := range messages {
			entries = append(entries, fmt.Sprintf(`{"Id":%q,"MessageId":"m-%d","MD5OfMessageBody":%q}`, m.ID, i, md5s[i]))
		}
		return `{"Successful":[` + strings.Join(entries, ",") + `],"Failed":[]}`
	}
	tests := []struct {
		name    string
		answer  string
		wantErr bool
	}{
		{"checksums match", answer(md5Hex(messages[0].Body), md5Hex(messages[1].Body)), false},
		{"no checksums", `{"Successful":[{"Id":"41","MessageId":"a"},{"Id":"42","MessageId":"b"}]}`, false},
		{"one does not match", answer(md5Hex(messages[0].Body), md5Hex("something else")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, func(int) (int, string) { return 200, tt.answer })
			sent, _, err := sqsjson.New(localConfig(), rec.URL).SendMessageBatch(context.Background(), "q", messages)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "MD5") || sent != nil {
					t.Fatalf("sent %v, %v; want nothing sent and a checksum error", sent, err)
				}
				return
			}
			if err != nil || !slices.Equal(sent, []string{"41", "42"}) {
				t.Fatalf("sent %v, %v", sent, err)
			}
		})
	}
}

// The client retries as the SDK's does: an SQS that fails once is asked
// again.
func TestRetriesAServerError(t *testing.T) {
	rec := newRecorder(t, func(n int) (int, string) {
		if n == 0 {
			return 500, `{"__type":"com.amazonaws.sqs#InternalError","message":"We encountered an internal error."}`
		}
		return 200, `{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:1:q"}}`
	})
	attrs, err := sqsjson.New(localConfig(), rec.URL).GetQueueAttributes(context.Background(), "q", "QueueArn")
	if err != nil || attrs["QueueArn"] != "arn:aws:sqs:eu-west-1:1:q" || len(rec.got()) != 2 {
		t.Fatalf("%v, %v after %d requests; want the ARN after 2", attrs, err, len(rec.got()))
	}
}
