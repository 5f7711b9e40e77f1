package testenv

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"innkeeper/local/clock"
	"innkeeper/local/sqs"
	"innkeeper/shared/topology"
)

// Queues is an SQS emulator of a test's own with the manifest's queues.
type Queues struct {
	*sqs.Server
	Clock *clock.Clock
	URL   string
	Env   map[string]string // EVENTS_QUEUE_URL, EVENTS_DLQ_URL, AWS_ENDPOINT_URL_SQS
}

// StartQueues runs an SQS emulator for t on a free port; it stops when t
// ends.
func StartQueues(t testing.TB) *Queues {
	t.Helper()
	q := &Queues{Clock: &clock.Clock{}, Env: map[string]string{}}
	q.Server = sqs.New(sqs.Options{Clock: q.Clock})
	url, err := q.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: sqs: %v", err)
	}
	t.Cleanup(func() { _ = q.Close() })
	q.URL = url
	q.Env["AWS_ENDPOINT_URL_SQS"] = url
	for _, mq := range topology.Innkeeper.Queues {
		u, err := q.Ensure(mq)
		if err != nil {
			t.Fatal(err)
		}
		if mq.Name == "events" {
			q.Env["EVENTS_QUEUE_URL"] = u
			q.Env["EVENTS_DLQ_URL"] = strings.TrimSuffix(u, mq.Name) + mq.DLQ()
		}
	}
	return q
}

// Depth is a queue's visible plus in-flight messages.
func (q *Queues) Depth(t testing.TB, name string) int {
	t.Helper()
	v, f, _, err := q.Server.Depth(name)
	if err != nil {
		t.Fatal(err)
	}
	return v + f
}

// SQSClient is the SDK's own SQS client at endpoint, with local
// credentials. The functions do not link it (they use package sqsjson);
// tests do, to put messages where the code will find them and to read
// back what the code sent, so that sqsjson is checked against the real
// protocol.
func SQSClient(endpoint string) *awssqs.Client {
	return awssqs.NewFromConfig(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
	})
}

// SDK is the SDK's SQS client for the emulator (see SQSClient).
func (q *Queues) SDK() *awssqs.Client { return SQSClient(q.URL) }
