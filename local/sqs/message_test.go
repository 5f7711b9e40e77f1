package sqs_test

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func strAttr(typ, v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String(typ), StringValue: aws.String(v)}
}

func TestSendAndReceiveChecksums(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "checksums", nil)
	// The SDK checks MD5OfMessageBody itself; the attribute digests are
	// Amazon's published samples or computed independently of this
	// package.
	tests := []struct {
		name    string
		body    string
		attrs   map[string]types.MessageAttributeValue
		wantMD5 string
	}{
		{"body only", `{"reservation":"R-1"}`, nil, ""},
		{"unicode body", "Hôtel 🏨\nligne\tdeux", nil, ""},
		{"strings", "s", map[string]types.MessageAttributeValue{
			"test_attribute_name_2": strAttr("String", "test_attribute_value_2"),
			"test_attribute_name_1": strAttr("String", "test_attribute_value_1"),
		}, "d53f3b558fe951154770f25cb63dbba9"},
		{"binary", "b", map[string]types.MessageAttributeValue{
			"test_attribute_name": {DataType: aws.String("Binary"), BinaryValue: []byte("test_attribute_value")},
		}, "23f6bd27ea87aab7dfeadcc9aebee495"},
		{"number", "n", map[string]types.MessageAttributeValue{"amount": strAttr("Number.int", "-42")}, "21fdb0a64be14c0875b099502bb597de"},
		{"every kind", "all", map[string]types.MessageAttributeValue{
			"price":    strAttr("Number", "12.50"),
			"currency": strAttr("String", "EUR"),
			"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 0xfe, 0xff}},
			"kind":     strAttr("String.reservation", "hold"),
		}, "3107ced716f141726529f79e774348e2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: &tt.body, MessageAttributes: tt.attrs})
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			if got := aws.ToString(sent.MD5OfMessageAttributes); got != tt.wantMD5 {
				t.Errorf("SendMessage MD5OfMessageAttributes = %q, want %q", got, tt.wantMD5)
			}
			msgs := e.receive(t, url, 1)
			if len(msgs) != 1 {
				t.Fatalf("received %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if aws.ToString(m.Body) != tt.body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
				t.Errorf("received %q (%s), want %q (%s)", aws.ToString(m.Body), aws.ToString(m.MessageId), tt.body, aws.ToString(sent.MessageId))
			}
			if got := aws.ToString(m.MD5OfMessageAttributes); got != tt.wantMD5 {
				t.Errorf("ReceiveMessage MD5OfMessageAttributes = %q, want %q", got, tt.wantMD5)
			}
			if len(m.MessageAttributes) != len(tt.attrs) {
				t.Fatalf("received attributes %v, want %v", m.MessageAttributes, tt.attrs)
			}
			for name, want := range tt.attrs {
				got := m.MessageAttributes[name]
				if aws.ToString(got.DataType) != aws.ToString(want.DataType) || aws.ToString(got.StringValue) != aws.ToString(want.StringValue) ||
					!bytes.Equal(got.BinaryValue, want.BinaryValue) {
					t.Errorf("attribute %s = %+v, want %+v", name, got, want)
				}
			}
			if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		})
	}
}

func TestReceiveSelectsAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "filters", nil)
	attrs := map[string]types.MessageAttributeValue{
		"order.id":    strAttr("String", "O-1"),
		"order.total": strAttr("Number", "99"),
		"trace":       strAttr("String", "t-1"),
	}
	tests := []struct {
		name    string
		filters []string
		want    []string
	}{
		{"none asked", nil, nil},
		{"All", []string{"All"}, []string{"order.id", "order.total", "trace"}},
		{"dot star", []string{".*"}, []string{"order.id", "order.total", "trace"}},
		{"by name", []string{"trace", "missing"}, []string{"trace"}},
		{"by prefix", []string{"order.*"}, []string{"order.id", "order.total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(tt.name), MessageAttributes: attrs}); err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: tt.filters})
			if err != nil {
				t.Fatalf("ReceiveMessage: %v", err)
			}
			if len(out.Messages) != 1 {
				t.Fatalf("received %d messages, want 1", len(out.Messages))
			}
			m := out.Messages[0]
			got := slices.Sorted(maps.Keys(m.MessageAttributes))
			if !slices.Equal(got, tt.want) {
				t.Errorf("attributes %v, want %v", got, tt.want)
			}
			if (m.MD5OfMessageAttributes == nil) != (len(tt.want) == 0) {
				t.Errorf("MD5OfMessageAttributes = %v with attributes %v", aws.ToString(m.MD5OfMessageAttributes), got)
			}
			if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		})
	}
}

func TestReceiveSystemAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "system", nil)
	sentAt := e.clock.Now().UnixMilli()
	_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		}})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}

	// The older AttributeNames field still works.
	out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}, VisibilityTimeout: 1})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	a := out.Messages[0].Attributes
	if a["SenderId"] != "000000000000" || a["ApproximateReceiveCount"] != "1" || a["AWSTraceHeader"] != "Root=1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("attributes = %v", a)
	}
	for _, k := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		ms, err := strconv.ParseInt(a[k], 10, 64)
		if err != nil || ms < sentAt || ms > sentAt+5000 {
			t.Errorf("%s = %q, want milliseconds near %d", k, a[k], sentAt)
		}
	}

	e.clock.Advance(2 * time.Second)
	out, err = e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if got := out.Messages[0].Attributes; len(got) != 1 || got["ApproximateReceiveCount"] != "2" {
		t.Errorf("attributes = %v, want ApproximateReceiveCount 2 only", got)
	}
}

func TestLongPolling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "long", nil)

	t.Run("returns as soon as a message is sent", func(t *testing.T) {
		done := make(chan []types.Message, 1)
		start := time.Now()
		go func() {
			out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
			if err != nil {
				t.Errorf("ReceiveMessage: %v", err)
			}
			done <- out.Messages
		}()
		time.Sleep(100 * time.Millisecond) // let the poll start waiting
		id := e.send(t, url, "wake up")
		msgs := <-done
		if len(msgs) != 1 || aws.ToString(msgs[0].MessageId) != id {
			t.Fatalf("long poll returned %v, want the message sent", msgs)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("long poll took %v, want it to return on the send", d)
		}
	})

	t.Run("returns empty after WaitTimeSeconds", func(t *testing.T) {
		start := time.Now()
		out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if d := time.Since(start); len(out.Messages) != 0 || d < 900*time.Millisecond || d > 5*time.Second {
			t.Errorf("returned %d messages after %v, want none after about 1s", len(out.Messages), d)
		}
	})

	t.Run("ends when the clock passes WaitTimeSeconds", func(t *testing.T) {
		done := make(chan time.Duration, 1)
		start := time.Now()
		go func() {
			out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
			if err != nil || len(out.Messages) != 0 {
				t.Errorf("ReceiveMessage = %v, %v; want no messages", out, err)
			}
			done <- time.Since(start)
		}()
		time.Sleep(100 * time.Millisecond)
		e.clock.Advance(21 * time.Second)
		if d := <-done; d > 5*time.Second {
			t.Errorf("long poll took %v of real time, want it to end with the clock", d)
		}
	})

	t.Run("the queue's ReceiveMessageWaitTimeSeconds applies", func(t *testing.T) {
		slow := e.createQueue(t, "slow", map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
		start := time.Now()
		if msgs := e.receive(t, slow, 1); len(msgs) != 0 {
			t.Fatalf("received %v from an empty queue", msgs)
		}
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Errorf("receive returned after %v, want the queue's 1s wait", d)
		}
	})
}

func TestCloseEndsLongPolls(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "closing", nil)
	done := make(chan error, 1)
	go func() {
		_, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := e.srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-done: // an empty answer or a closed connection, but at once
	case <-time.After(5 * time.Second):
		t.Fatal("a long poll outlived Close")
	}
}

func TestVisibilityTimeoutRedelivers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "visibility", map[string]string{"VisibilityTimeout": "30"})
	id := e.send(t, url, "again")

	first := e.receive(t, url, 10)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", first)
	}
	if again := e.receive(t, url, 10); len(again) != 0 {
		t.Fatalf("received %d messages while the first was in flight", len(again))
	}
	e.wantCounts(t, url, "0", "1", "0")

	e.clock.Advance(29 * time.Second)
	if early := e.receive(t, url, 10); len(early) != 0 {
		t.Fatalf("message came back after 29s of a 30s visibility timeout")
	}
	e.clock.Advance(2 * time.Second)
	second := e.receive(t, url, 10)
	if len(second) != 1 {
		t.Fatalf("after the visibility timeout received %d messages, want 1", len(second))
	}
	m := second[0]
	if aws.ToString(m.MessageId) != id || m.Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("redelivered %s with receive count %s, want %s with 2", aws.ToString(m.MessageId), m.Attributes["ApproximateReceiveCount"], id)
	}
	if aws.ToString(m.ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Error("the redelivery kept the first receipt handle")
	}
	if m.Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Errorf("ApproximateFirstReceiveTimestamp changed from %s to %s",
			first[0].Attributes["ApproximateFirstReceiveTimestamp"], m.Attributes["ApproximateFirstReceiveTimestamp"])
	}

	t.Run("a receive's VisibilityTimeout overrides the queue's", func(t *testing.T) {
		e.clock.Advance(31 * time.Second)
		out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 5})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("ReceiveMessage = %v, %v", out, err)
		}
		e.clock.Advance(6 * time.Second)
		if msgs := e.receive(t, url, 1); len(msgs) != 1 {
			t.Error("the message did not come back after the receive's 5s visibility timeout")
		}
	})
}

func TestLongPollWakesWhenAVisibilityTimeoutEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "wake", map[string]string{"VisibilityTimeout": "30"})
	e.send(t, url, "m")
	e.receive(t, url, 1)
	done := make(chan int, 1)
	go func() {
		out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		if err != nil {
			t.Errorf("ReceiveMessage: %v", err)
		}
		done <- len(out.Messages)
	}()
	time.Sleep(100 * time.Millisecond)
	e.clock.Advance(31 * time.Second)
	select {
	case n := <-done:
		if n != 1 {
			t.Errorf("long poll returned %d messages, want the one whose timeout ended", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not wake when the clock moved past the visibility timeout")
	}
}

func TestDelayedMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name       string
		queueDelay string
		sendDelay  int32
		wait       time.Duration
	}{
		{"message delay", "0", 10, 10 * time.Second},
		{"queue delay", "20", 0, 20 * time.Second},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := e.createQueue(t, "delayed-"+strconv.Itoa(i), map[string]string{"DelaySeconds": tt.queueDelay})
			if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("d"), DelaySeconds: tt.sendDelay}); err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			if msgs := e.receive(t, url, 1); len(msgs) != 0 {
				t.Fatal("received a message before its delay ended")
			}
			e.wantCounts(t, url, "0", "0", "1")
			e.clock.Advance(tt.wait - time.Second)
			if msgs := e.receive(t, url, 1); len(msgs) != 0 {
				t.Fatal("received a message a second before its delay ended")
			}
			e.clock.Advance(time.Second)
			if msgs := e.receive(t, url, 1); len(msgs) != 1 {
				t.Fatal("no message once its delay ended")
			}
		})
	}
}

func TestRetentionDropsOldMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "short-lived", map[string]string{"MessageRetentionPeriod": "60"})
	e.send(t, url, "old")
	e.receive(t, url, 1) // in flight messages expire too
	e.clock.Advance(30 * time.Second)
	e.send(t, url, "young")
	e.clock.Advance(31 * time.Second)
	e.wantCounts(t, url, "1", "0", "0")
	msgs := e.receive(t, url, 10)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "young" {
		t.Errorf("received %v, want only the message younger than the retention period", msgs)
	}
}

func TestDeleteMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "deletes", map[string]string{"VisibilityTimeout": "30"})

	t.Run("deletes and accepts the handle again", func(t *testing.T) {
		e.send(t, url, "a")
		m := e.receive(t, url, 1)[0]
		for i := range 2 {
			if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage #%d: %v", i+1, err)
			}
		}
		e.clock.Advance(31 * time.Second)
		e.wantCounts(t, url, "0", "0", "0")
	})

	t.Run("an older handle of a message still there deletes it", func(t *testing.T) {
		e.send(t, url, "b")
		old := e.receive(t, url, 1)[0]
		e.clock.Advance(31 * time.Second)
		if msgs := e.receive(t, url, 1); len(msgs) != 1 {
			t.Fatal("no redelivery")
		}
		if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: old.ReceiptHandle}); err != nil {
			t.Fatalf("DeleteMessage: %v", err)
		}
		e.wantCounts(t, url, "0", "0", "0")
	})

	t.Run("a malformed handle is ReceiptHandleIsInvalid", func(t *testing.T) {
		_, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("not-a-handle")})
		var invalid *types.ReceiptHandleIsInvalid
		if !errors.As(err, &invalid) {
			t.Fatalf("DeleteMessage = %v, want ReceiptHandleIsInvalid", err)
		}
	})

	t.Run("another queue's handle is ReceiptHandleIsInvalid", func(t *testing.T) {
		other := e.createQueue(t, "elsewhere", nil)
		e.send(t, other, "c")
		m := e.receive(t, other, 1)[0]
		_, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		var invalid *types.ReceiptHandleIsInvalid
		if !errors.As(err, &invalid) {
			t.Fatalf("DeleteMessage = %v, want ReceiptHandleIsInvalid", err)
		}
	})
}

func TestDeleteMessageBatchReportsEachEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "batch-delete", nil)
	e.send(t, url, "a")
	e.send(t, url, "b")
	e.send(t, url, "keep")
	msgs := e.receive(t, url, 2)
	if len(msgs) != 2 {
		t.Fatalf("received %d, want 2", len(msgs))
	}
	out, err := e.client.DeleteMessageBatch(ctx(t), &awssqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("one"), ReceiptHandle: msgs[0].ReceiptHandle},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("%%%")},
		{Id: aws.String("two"), ReceiptHandle: msgs[1].ReceiptHandle},
	}})
	if err != nil {
		t.Fatalf("DeleteMessageBatch: %v", err)
	}
	var ok []string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.Id))
	}
	if slices.Sort(ok); !slices.Equal(ok, []string{"one", "two"}) {
		t.Errorf("Successful = %v, want one, two", ok)
	}
	if len(out.Failed) != 1 {
		t.Fatalf("Failed = %+v, want the bad entry", out.Failed)
	}
	f := out.Failed[0]
	if aws.ToString(f.Id) != "bad" || aws.ToString(f.Code) != "ReceiptHandleIsInvalid" || !f.SenderFault {
		t.Errorf("Failed[0] = {%s %s %v}, want {bad ReceiptHandleIsInvalid true}", aws.ToString(f.Id), aws.ToString(f.Code), f.SenderFault)
	}
	e.wantCounts(t, url, "1", "0", "0")
}

func TestSendMessageBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "batch-send", nil)
	out, err := e.client.SendMessageBatch(ctx(t), &awssqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("plain"), MessageBody: aws.String("one")},
		{Id: aws.String("with-attrs"), MessageBody: aws.String("two"), MessageAttributes: map[string]types.MessageAttributeValue{
			"test_attribute_name": {DataType: aws.String("Binary"), BinaryValue: []byte("test_attribute_value")},
		}},
		{Id: aws.String("delayed"), MessageBody: aws.String("three"), DelaySeconds: 60},
		{Id: aws.String("bad_attr"), MessageBody: aws.String("four"), MessageAttributes: map[string]types.MessageAttributeValue{
			"empty": strAttr("String", ""),
		}},
	}})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	byID := map[string]types.SendMessageBatchResultEntry{}
	for _, s := range out.Successful {
		byID[aws.ToString(s.Id)] = s
	}
	if len(byID) != 3 || byID["plain"].MessageId == nil || byID["delayed"].MessageId == nil {
		t.Errorf("Successful = %v, want plain, with-attrs, delayed", slices.Collect(maps.Keys(byID)))
	}
	if got := aws.ToString(byID["with-attrs"].MD5OfMessageAttributes); got != "23f6bd27ea87aab7dfeadcc9aebee495" {
		t.Errorf("MD5OfMessageAttributes = %q", got)
	}
	if len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "bad_attr" || aws.ToString(out.Failed[0].Code) != "InvalidParameterValue" {
		t.Errorf("Failed = %+v, want bad_attr InvalidParameterValue", out.Failed)
	}
	e.wantCounts(t, url, "2", "0", "1")
}

func TestBatchRequestRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "batch-rules", nil)
	send := func(ids ...string) error {
		entries := []types.SendMessageBatchRequestEntry{} // not nil: the SDK would refuse it
		for _, id := range ids {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("x")})
		}
		_, err := e.client.SendMessageBatch(ctx(t), &awssqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
		return err
	}
	del := func(ids ...string) error {
		entries := []types.DeleteMessageBatchRequestEntry{}
		for _, id := range ids {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(id), ReceiptHandle: aws.String("x")})
		}
		_, err := e.client.DeleteMessageBatch(ctx(t), &awssqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: entries})
		return err
	}
	change := func(ids ...string) error {
		entries := []types.ChangeMessageVisibilityBatchRequestEntry{}
		for _, id := range ids {
			entries = append(entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(id), ReceiptHandle: aws.String("x")})
		}
		_, err := e.client.ChangeMessageVisibilityBatch(ctx(t), &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: entries})
		return err
	}
	eleven := strings.Split("a b c d e f g h i j k", " ")
	for _, action := range []struct {
		name string
		call func(ids ...string) error
	}{{"SendMessageBatch", send}, {"DeleteMessageBatch", del}, {"ChangeMessageVisibilityBatch", change}} {
		tests := []struct {
			name  string
			ids   []string
			check func(error) bool
		}{
			{"empty", nil, func(err error) bool { var e *types.EmptyBatchRequest; return errors.As(err, &e) }},
			{"eleven entries", eleven, func(err error) bool { var e *types.TooManyEntriesInBatchRequest; return errors.As(err, &e) }},
			{"repeated id", []string{"a", "b", "a"}, func(err error) bool { var e *types.BatchEntryIdsNotDistinct; return errors.As(err, &e) }},
			{"bad id", []string{"a b"}, func(err error) bool { var e *types.InvalidBatchEntryId; return errors.As(err, &e) }},
		}
		for _, tt := range tests {
			t.Run(action.name+" "+tt.name, func(t *testing.T) {
				if err := action.call(tt.ids...); !tt.check(err) {
					t.Errorf("error = %v", err)
				}
			})
		}
	}
	e.wantCounts(t, url, "0", "0", "0")
}

func TestMessageLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	small := e.createQueue(t, "small", map[string]string{"MaximumMessageSize": "1024"})
	big := e.createQueue(t, "big", nil)
	tests := []struct {
		name  string
		url   string
		body  string
		attrs map[string]types.MessageAttributeValue
		check func(t *testing.T, err error)
	}{
		{"at the queue's limit", small, strings.Repeat("x", 1024), nil, nil},
		{"over the queue's limit", small, strings.Repeat("x", 1025), nil, func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"attributes count", small, strings.Repeat("x", 1000), map[string]types.MessageAttributeValue{"name": strAttr("String", strings.Repeat("v", 20))},
			func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"1 MiB by default", big, strings.Repeat("x", 1<<20), nil, nil},
		{"over 1 MiB", big, strings.Repeat("x", 1<<20+1), nil, func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"invalid characters", big, "nul\x00byte", nil, func(t *testing.T, err error) {
			var bad *types.InvalidMessageContents
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidMessageContents", err)
			}
		}},
		{"reserved attribute name", big, "x", map[string]types.MessageAttributeValue{"AWS.trace": strAttr("String", "v")},
			func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &tt.url, MessageBody: &tt.body, MessageAttributes: tt.attrs})
			if tt.check == nil {
				if err != nil {
					t.Fatalf("SendMessage: %v", err)
				}
				return
			}
			tt.check(t, err)
		})
	}
}

func TestReceiveParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "params", nil)
	for i := range 12 {
		e.send(t, url, strconv.Itoa(i))
	}
	tests := []struct {
		name string
		in   awssqs.ReceiveMessageInput
		want int // messages; -1 for InvalidParameterValue
	}{
		{"one by default", awssqs.ReceiveMessageInput{}, 1},
		{"up to ten", awssqs.ReceiveMessageInput{MaxNumberOfMessages: 10}, 10},
		{"eleven", awssqs.ReceiveMessageInput{MaxNumberOfMessages: 11}, -1},
		{"wait too long", awssqs.ReceiveMessageInput{WaitTimeSeconds: 21}, -1},
		{"visibility too long", awssqs.ReceiveMessageInput{VisibilityTimeout: 43201}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.QueueUrl = &url
			out, err := e.client.ReceiveMessage(ctx(t), &in)
			if tt.want < 0 {
				wantCode(t, err, "InvalidParameterValue")
				return
			}
			if err != nil {
				t.Fatalf("ReceiveMessage: %v", err)
			}
			if len(out.Messages) != tt.want {
				t.Errorf("received %d, want %d", len(out.Messages), tt.want)
			}
		})
	}
}

func TestReceiveIsRoughlyFIFO(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "order", nil)
	for i := range 5 {
		e.send(t, url, strconv.Itoa(i))
	}
	var got []string
	for _, m := range e.receive(t, url, 10) {
		got = append(got, aws.ToString(m.Body))
	}
	if want := []string{"0", "1", "2", "3", "4"}; !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
}

func TestChangeMessageVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "change", map[string]string{"VisibilityTimeout": "30"})

	t.Run("zero makes the message visible at once", func(t *testing.T) {
		e.send(t, url, "a")
		m := e.receive(t, url, 1)[0]
		if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatalf("ChangeMessageVisibility: %v", err)
		}
		again := e.receive(t, url, 1)
		if len(again) != 1 || again[0].Attributes["ApproximateReceiveCount"] != "2" {
			t.Fatalf("after ChangeMessageVisibility 0 received %+v", again)
		}
		if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: again[0].ReceiptHandle}); err != nil {
			t.Fatalf("DeleteMessage: %v", err)
		}
	})

	t.Run("extends the timeout from now", func(t *testing.T) {
		e.send(t, url, "b")
		m := e.receive(t, url, 1)[0]
		e.clock.Advance(20 * time.Second)
		if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 60}); err != nil {
			t.Fatalf("ChangeMessageVisibility: %v", err)
		}
		e.clock.Advance(59 * time.Second)
		if msgs := e.receive(t, url, 1); len(msgs) != 0 {
			t.Fatal("the message came back before its extended timeout")
		}
		e.clock.Advance(2 * time.Second)
		msgs := e.receive(t, url, 1)
		if len(msgs) != 1 {
			t.Fatal("the message did not come back after its extended timeout")
		}
		if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
			t.Fatalf("DeleteMessage: %v", err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		e.send(t, url, "c")
		m := e.receive(t, url, 1)[0]
		if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatalf("ChangeMessageVisibility: %v", err)
		}
		_, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10})
		var notInFlight *types.MessageNotInflight
		if !errors.As(err, &notInFlight) {
			t.Errorf("changing a visible message = %v, want MessageNotInflight", err)
		}
		_, err = e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: aws.String("junk"), VisibilityTimeout: 10})
		var invalid *types.ReceiptHandleIsInvalid
		if !errors.As(err, &invalid) {
			t.Errorf("a malformed handle = %v, want ReceiptHandleIsInvalid", err)
		}
		again := e.receive(t, url, 1)[0]
		if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: again.ReceiptHandle}); err != nil {
			t.Fatalf("DeleteMessage: %v", err)
		}
		_, err = e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 10})
		wantCode(t, err, "InvalidParameterValue")
	})

	t.Run("batch reports each entry", func(t *testing.T) {
		e.send(t, url, "d")
		e.send(t, url, "e")
		msgs := e.receive(t, url, 2)
		out, err := e.client.ChangeMessageVisibilityBatch(ctx(t), &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
			{Id: aws.String("d"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
			{Id: aws.String("e"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 0},
			{Id: aws.String("junk"), ReceiptHandle: aws.String("junk"), VisibilityTimeout: 0},
		}})
		if err != nil {
			t.Fatalf("ChangeMessageVisibilityBatch: %v", err)
		}
		if len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "ReceiptHandleIsInvalid" {
			t.Errorf("Successful %d, Failed %+v", len(out.Successful), out.Failed)
		}
		e.wantCounts(t, url, "2", "0", "0")
	})
}
