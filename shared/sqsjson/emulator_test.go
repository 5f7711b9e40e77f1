package sqsjson_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/local/testenv"
	"innkeeper/shared/awsjson"
	"innkeeper/shared/booking"
	"innkeeper/shared/queue"
	"innkeeper/shared/sqsjson"
)

// These tests run the client against the local SQS emulator, which the
// SDK's client is tested against (local/sqs), and read back with the
// SDK's client what this one sent.

func localConfig() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// emulator is a test's own SQS emulator with the manifest's queues, this
// package's client and the SDK's, both pointed at it.
type emulator struct {
	*testenv.Queues
	client      *sqsjson.Client
	sdk         *awssqs.Client
	events, dlq string // queue URLs
}

func newEmulator(t *testing.T) *emulator {
	q := testenv.StartQueues(t)
	return &emulator{Queues: q, client: sqsjson.New(localConfig(), q.URL), sdk: q.SDK(),
		events: q.Env["EVENTS_QUEUE_URL"], dlq: q.Env["EVENTS_DLQ_URL"]}
}

// receiveAll receives n messages of url with the SDK, all their
// attributes included.
func (e *emulator) receiveAll(t *testing.T, url string, n int) []types.Message {
	t.Helper()
	var got []types.Message
	for range 10 {
		out, err := e.sdk.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatalf("SDK ReceiveMessage: %v", err)
		}
		got = append(got, out.Messages...)
		if len(got) >= n {
			break
		}
	}
	if len(got) != n {
		t.Fatalf("received %d messages, want %d", len(got), n)
	}
	return got
}

// The publisher's messages, in batches of ten, arrive as it built them:
// the bodies, and event_type (String) and outbox_id (Number).
func TestPublishedEventsReadBackWithTheSDK(t *testing.T) {
	t.Parallel()
	e := newEmulator(t)
	var events []booking.OutboxEvent
	for i := range 12 {
		events = append(events, booking.OutboxEvent{ID: int64(100 + i), Type: "reservation.held", Reference: "INK-AAAAAA",
			Payload: []byte(`{"type":"reservation.held","n":` + strconv.Itoa(i) + `,"name":"Zoë \"Q\" <o'brien>"}`)})
	}
	events[3].Type = "reservation.cancelled"
	sent, err := queue.Publisher{Client: e.client, QueueURL: e.events}.Publish(ctx(t), events)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, ev := range events {
		want = append(want, ev.ID)
	}
	if slices.Sort(sent); !slices.Equal(sent, want) {
		t.Fatalf("reported sent %v, want %v", sent, want)
	}
	byID := map[string]booking.OutboxEvent{}
	for _, ev := range events {
		byID[strconv.FormatInt(ev.ID, 10)] = ev
	}
	for _, m := range e.receiveAll(t, e.events, len(events)) {
		id, typ := m.MessageAttributes["outbox_id"], m.MessageAttributes["event_type"]
		ev, ok := byID[aws.ToString(id.StringValue)]
		if !ok {
			t.Fatalf("message with outbox_id %+v", id)
		}
		delete(byID, aws.ToString(id.StringValue))
		if aws.ToString(m.Body) != string(ev.Payload) {
			t.Errorf("event %d: body %q, want %q", ev.ID, aws.ToString(m.Body), ev.Payload)
		}
		if aws.ToString(id.DataType) != "Number" || aws.ToString(typ.DataType) != "String" || aws.ToString(typ.StringValue) != ev.Type {
			t.Errorf("event %d: attributes outbox_id %s %q, event_type %s %q", ev.ID,
				aws.ToString(id.DataType), aws.ToString(id.StringValue), aws.ToString(typ.DataType), aws.ToString(typ.StringValue))
		}
		if len(m.MessageAttributes) != 2 {
			t.Errorf("event %d: %d attributes, want 2", ev.ID, len(m.MessageAttributes))
		}
	}
}

// SQS refuses some entries of a batch and takes the others: the client
// reports exactly those, and the publisher marks only the others sent.
func TestRefusedEntries(t *testing.T) {
	t.Parallel()
	e := newEmulator(t)
	ok := func(id string) queue.Message {
		return queue.Message{ID: id, Body: `{"id":"` + id + `"}`, Attributes: map[string]queue.Attribute{
			"event_type": {DataType: "String", Value: "reservation.held"}, "outbox_id": {DataType: "Number", Value: id}}}
	}
	badBody := ok("2")
	badBody.Body = "nul \x00 is not allowed"
	badNumber := ok("4")
	badNumber.Attributes["outbox_id"] = queue.Attribute{DataType: "Number", Value: "four"}

	sent, failed, err := e.client.SendMessageBatch(ctx(t), e.events, []queue.Message{ok("1"), badBody, ok("3"), badNumber})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(sent); !slices.Equal(sent, []string{"1", "3"}) {
		t.Errorf("sent %v, want [1 3]", sent)
	}
	slices.SortFunc(failed, func(a, b queue.BatchFailure) int { return strings.Compare(a.ID, b.ID) })
	if len(failed) != 2 || failed[0].ID != "2" || failed[0].Code != "InvalidMessageContents" || !failed[0].SenderFault ||
		failed[1].ID != "4" || failed[1].Code != "InvalidParameterValue" || !strings.Contains(failed[1].Message, "number") {
		t.Errorf("failed %+v, want entry 2 InvalidMessageContents and entry 4 InvalidParameterValue, the sender's fault", failed)
	}
	if n := e.Depth(t, "events"); n != 2 {
		t.Errorf("%d messages on the queue, want the 2 taken", n)
	}

	// Through the publisher: the refused event is not reported sent.
	events := []booking.OutboxEvent{
		{ID: 7, Type: "reservation.held", Payload: []byte(`{}`)},
		{ID: 8, Type: "reservation.held", Payload: []byte("\x00")},
	}
	ids, err := queue.Publisher{Client: e.client, QueueURL: e.events}.Publish(ctx(t), events)
	if !slices.Equal(ids, []int64{7}) || err == nil || !strings.Contains(err.Error(), "1 of 2 messages refused, first InvalidMessageContents") {
		t.Errorf("publish: sent %v, %v; want [7] and the refusal", ids, err)
	}
}

// QueueDepth reads the counts GetQueueAttributes gives.
func TestQueueDepth(t *testing.T) {
	t.Parallel()
	e := newEmulator(t)
	for _, in := range []*awssqs.SendMessageInput{
		{QueueUrl: aws.String(e.events), MessageBody: aws.String("visible")},
		{QueueUrl: aws.String(e.events), MessageBody: aws.String("in flight")},
		{QueueUrl: aws.String(e.events), MessageBody: aws.String("visible too")},
		{QueueUrl: aws.String(e.events), MessageBody: aws.String("delayed"), DelaySeconds: 60},
	} {
		if _, err := e.sdk.SendMessage(ctx(t), in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.sdk.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(e.events), MaxNumberOfMessages: 1}); err != nil {
		t.Fatal(err)
	}
	d, err := queue.QueueDepth(ctx(t), e.client, e.events)
	if err != nil {
		t.Fatal(err)
	}
	if d != (queue.Depth{Visible: 2, InFlight: 1, Delayed: 1}) {
		t.Errorf("depth %+v, want 2 visible, 1 in flight, 1 delayed", d)
	}
	attrs, err := e.client.GetQueueAttributes(ctx(t), e.dlq, "QueueArn")
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.sdk.GetQueueAttributes(ctx(t), &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(e.dlq),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs["QueueArn"] == "" || attrs["QueueArn"] != want.Attributes["QueueArn"] || len(attrs) != 1 {
		t.Errorf("attributes %v, the SDK reads %v", attrs, want.Attributes)
	}
}

// Redrive moves the dead letters back to the events queue.
func TestRedriveMovesDeadLettersBack(t *testing.T) {
	t.Parallel()
	e := newEmulator(t)
	for _, body := range []string{`{"n":1}`, `{"n":2}`} {
		if _, err := e.sdk.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(e.dlq), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	handle, err := queue.Redrive(ctx(t), e.client, e.dlq, e.events)
	if err != nil {
		t.Fatal(err)
	}
	if handle == "" {
		t.Error("no task handle")
	}
	if dlq, events := e.Depth(t, "events-dlq"), e.Depth(t, "events"); dlq != 0 || events != 2 {
		t.Errorf("after the redrive: %d dead letters, %d on the events queue; want 0 and 2", dlq, events)
	}
	bodies := []string{}
	for _, m := range e.receiveAll(t, e.events, 2) {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if slices.Sort(bodies); !slices.Equal(bodies, []string{`{"n":1}`, `{"n":2}`}) {
		t.Errorf("moved %v", bodies)
	}
}

// SQS's errors come back typed, with both of its codes.
func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	e := newEmulator(t)
	gone := strings.TrimSuffix(e.events, "events") + "no-such-queue"
	tests := []struct {
		name string
		call func(context.Context) error
		want awsjson.Error
	}{
		{"GetQueueAttributes of an unknown queue", func(ctx context.Context) error {
			_, err := e.client.GetQueueAttributes(ctx, gone, "QueueArn")
			return err
		}, awsjson.Error{Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue", Fault: "Sender", Status: 400}},
		{"SendMessageBatch to an unknown queue", func(ctx context.Context) error {
			_, _, err := e.client.SendMessageBatch(ctx, gone, []queue.Message{{ID: "1", Body: "x"}})
			return err
		}, awsjson.Error{Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue", Fault: "Sender", Status: 400}},
		{"SendMessageBatch of nothing", func(ctx context.Context) error {
			_, _, err := e.client.SendMessageBatch(ctx, e.events, nil)
			return err
		}, awsjson.Error{Code: "EmptyBatchRequest", QueryCode: "AWS.SimpleQueueService.EmptyBatchRequest", Fault: "Sender", Status: 400}},
		{"StartMessageMoveTask from an unknown queue", func(ctx context.Context) error {
			_, err := e.client.StartMessageMoveTask(ctx, "arn:aws:sqs:eu-west-1:000000000000:no-such-queue", "")
			return err
		}, awsjson.Error{Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Fault: "Sender", Status: 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(ctx(t))
			var ae *awsjson.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want an *awsjson.Error", err)
			}
			got := *ae
			got.Message, got.RequestID = "", ""
			if got != tt.want {
				t.Errorf("error %+v, want %+v", got, tt.want)
			}
			if ae.Message == "" || ae.RequestID == "" {
				t.Errorf("no message or request id: %+v", ae)
			}
		})
	}
}
