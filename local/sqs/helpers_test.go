package sqs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/local/clock"
	"innkeeper/local/sqs"
)

// settle bounds a wait on the server's goroutines, never on a visibility
// timeout.
const settle = 5 * time.Second

// env is a server on a loopback port, the clock it runs on and a real
// SDK client pointed at it, message checksum validation left on.
type env struct {
	srv    *sqs.Server
	clock  *clock.Clock
	client *awssqs.Client
	url    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock.Clock{}
	srv := sqs.New(sqs.Options{Clock: clk})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := awssqs.NewFromConfig(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(url),
	}, func(o *awssqs.Options) { o.RetryMaxAttempts = 1 })
	return &env{srv: srv, clock: clk, client: client, url: url}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// createQueue makes a queue and returns its URL.
func (e *env) createQueue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func (e *env) send(t *testing.T, url, body string) string {
	t.Helper()
	out, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	return aws.ToString(out.MessageId)
}

func sendDelayed(url string, seconds int32) *awssqs.SendMessageInput {
	return &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("delayed"), DelaySeconds: seconds}
}

// receive receives without waiting, with every system attribute.
func (e *env) receive(t *testing.T, url string, max int32) []types.Message {
	t.Helper()
	out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: max,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func (e *env) attributes(t *testing.T, url string, names ...types.QueueAttributeName) map[string]string {
	t.Helper()
	out, err := e.client.GetQueueAttributes(ctx(t), &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes
}

// wantCounts checks the queue's visible, in-flight and delayed counts
// as GetQueueAttributes gives them.
func (e *env) wantCounts(t *testing.T, url, visible, inFlight, delayed string) {
	t.Helper()
	got := e.attributes(t, url, types.QueueAttributeNameApproximateNumberOfMessages,
		types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed)
	want := map[string]string{
		"ApproximateNumberOfMessages":           visible,
		"ApproximateNumberOfMessagesNotVisible": inFlight,
		"ApproximateNumberOfMessagesDelayed":    delayed,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// wantCode checks err is an API error with that code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae interface{ ErrorCode() string } // what smithy.APIError offers
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %q (%v), want %q", ae.ErrorCode(), err, code)
	}
}
