package sqs_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const arnPrefix = "arn:aws:sqs:eu-west-1:000000000000:"

func redrive(dlq string, max string) map[string]string {
	return map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + arnPrefix + dlq + `","maxReceiveCount":"` + max + `"}`,
	}
}

func TestDeadLetterAndRedrive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dlq := e.createQueue(t, "work-dlq", nil)
	src := e.createQueue(t, "work", redrive("work-dlq", "3"))

	if got := e.attributes(t, src, types.QueueAttributeNameRedrivePolicy)["RedrivePolicy"]; got != `{"deadLetterTargetArn":"`+arnPrefix+`work-dlq","maxReceiveCount":3}` {
		t.Errorf("RedrivePolicy = %s", got)
	}
	out, err := e.client.ListDeadLetterSourceQueues(ctx(t), &awssqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	if err != nil {
		t.Fatalf("ListDeadLetterSourceQueues: %v", err)
	}
	if !slices.Equal(out.QueueUrls, []string{src}) {
		t.Errorf("ListDeadLetterSourceQueues = %v, want [%s]", out.QueueUrls, src)
	}

	id := e.send(t, src, "poison")
	for i := 1; i <= 3; i++ {
		msgs := e.receive(t, src, 1)
		if len(msgs) != 1 || msgs[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(i) {
			t.Fatalf("receive %d = %+v", i, msgs)
		}
		e.clock.Advance(31 * time.Second)
	}
	// The fourth receive would exceed maxReceiveCount: the message moves.
	if msgs := e.receive(t, src, 1); len(msgs) != 0 {
		t.Fatalf("the message was delivered a fourth time: %+v", msgs)
	}
	e.wantCounts(t, src, "0", "0", "0")
	e.wantCounts(t, dlq, "1", "0", "0")

	dead := e.receive(t, dlq, 1)
	if len(dead) != 1 {
		t.Fatal("nothing in the dead-letter queue")
	}
	if aws.ToString(dead[0].MessageId) != id || aws.ToString(dead[0].Body) != "poison" {
		t.Errorf("dead letter %s %q, want %s poison", aws.ToString(dead[0].MessageId), aws.ToString(dead[0].Body), id)
	}
	if got := dead[0].Attributes["DeadLetterQueueSourceArn"]; got != arnPrefix+"work" {
		t.Errorf("DeadLetterQueueSourceArn = %q", got)
	}
	// In flight messages are left for later; make it visible to move it.
	if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &dlq, ReceiptHandle: dead[0].ReceiptHandle}); err != nil {
		t.Fatalf("ChangeMessageVisibility: %v", err)
	}

	task, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "work-dlq")})
	if err != nil {
		t.Fatalf("StartMessageMoveTask: %v", err)
	}
	if aws.ToString(task.TaskHandle) == "" {
		t.Error("no TaskHandle")
	}
	e.wantCounts(t, dlq, "0", "0", "0")
	back := e.receive(t, src, 1)
	if len(back) != 1 || aws.ToString(back[0].Body) != "poison" {
		t.Fatalf("after the move the source queue gave %+v", back)
	}
	// A redriven message is a new message.
	if aws.ToString(back[0].MessageId) == id || back[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("redriven message %s with receive count %s, want a new id and count 1",
			aws.ToString(back[0].MessageId), back[0].Attributes["ApproximateReceiveCount"])
	}

	tasks, err := e.client.ListMessageMoveTasks(ctx(t), &awssqs.ListMessageMoveTasksInput{SourceArn: aws.String(arnPrefix + "work-dlq"), MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatalf("ListMessageMoveTasks: %v", err)
	}
	if len(tasks.Results) != 1 {
		t.Fatalf("ListMessageMoveTasks = %+v, want one task", tasks.Results)
	}
	r := tasks.Results[0]
	if aws.ToString(r.Status) != "COMPLETED" || r.ApproximateNumberOfMessagesMoved != 1 || aws.ToInt64(r.ApproximateNumberOfMessagesToMove) != 1 ||
		aws.ToString(r.SourceArn) != arnPrefix+"work-dlq" || r.StartedTimestamp == 0 {
		t.Errorf("task = %+v", r)
	}
}

func TestMessageMoveTaskToADestination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dlq := e.createQueue(t, "jobs-dlq", nil)
	e.createQueue(t, "jobs", redrive("jobs-dlq", "1"))
	replay := e.createQueue(t, "replay", nil)
	// A message sent to the DLQ directly has no source to go back to,
	// but a destination takes it.
	e.send(t, dlq, "direct")

	_, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{
		SourceArn: aws.String(arnPrefix + "jobs-dlq"), DestinationArn: aws.String(arnPrefix + "replay"), MaxNumberOfMessagesPerSecond: aws.Int32(10),
	})
	if err != nil {
		t.Fatalf("StartMessageMoveTask: %v", err)
	}
	if msgs := e.receive(t, replay, 10); len(msgs) != 1 || aws.ToString(msgs[0].Body) != "direct" {
		t.Errorf("replay queue holds %+v", msgs)
	}
	tasks, err := e.client.ListMessageMoveTasks(ctx(t), &awssqs.ListMessageMoveTasksInput{SourceArn: aws.String(arnPrefix + "jobs-dlq")})
	if err != nil {
		t.Fatalf("ListMessageMoveTasks: %v", err)
	}
	if len(tasks.Results) != 1 || aws.ToString(tasks.Results[0].DestinationArn) != arnPrefix+"replay" || aws.ToInt32(tasks.Results[0].MaxNumberOfMessagesPerSecond) != 10 {
		t.Errorf("tasks = %+v", tasks.Results)
	}
}

func TestMessageMoveTaskErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createQueue(t, "plain", nil)
	e.createQueue(t, "orders-dlq", nil)
	e.createQueue(t, "orders", redrive("orders-dlq", "2"))
	notFound := func(t *testing.T, err error) {
		var missing *types.ResourceNotFoundException
		if !errors.As(err, &missing) {
			t.Fatalf("error = %v, want ResourceNotFoundException", err)
		}
	}
	tests := []struct {
		name  string
		in    awssqs.StartMessageMoveTaskInput
		check func(t *testing.T, err error)
	}{
		{"no such source", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "nothing")}, notFound},
		{"source is no DLQ", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "plain")},
			func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"no such destination", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "orders-dlq"), DestinationArn: aws.String(arnPrefix + "nothing")}, notFound},
		{"rate too high", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(arnPrefix + "orders-dlq"), MaxNumberOfMessagesPerSecond: aws.Int32(501)},
			func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.StartMessageMoveTask(ctx(t), &tt.in)
			tt.check(t, err)
		})
	}
}

func TestRedriveAllowPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createQueue(t, "closed-dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	e.createQueue(t, "picky-dlq", map[string]string{
		"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["` + arnPrefix + `chosen"]}`,
	})
	tests := []struct {
		name, queue, dlq string
		ok               bool
	}{
		{"denyAll", "any", "closed-dlq", false},
		{"byQueue, listed", "chosen", "picky-dlq", true},
		{"byQueue, not listed", "other", "picky-dlq", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String(tt.queue), Attributes: redrive(tt.dlq, "3")})
			if tt.ok {
				if err != nil {
					t.Fatalf("CreateQueue: %v", err)
				}
				return
			}
			wantCode(t, err, "InvalidParameterValue")
		})
	}
}

func TestSetRedrivePolicyAndRemoveIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createQueue(t, "later-dlq", nil)
	url := e.createQueue(t, "later", nil)
	set := func(v string) {
		t.Helper()
		if _, err := e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"RedrivePolicy": v}}); err != nil {
			t.Fatalf("SetQueueAttributes: %v", err)
		}
	}
	set(redrive("later-dlq", "1")["RedrivePolicy"])
	e.send(t, url, "m")
	e.receive(t, url, 1)
	e.clock.Advance(31 * time.Second)
	if msgs := e.receive(t, url, 1); len(msgs) != 0 {
		t.Fatal("delivered twice with maxReceiveCount 1")
	}

	set("")
	if _, ok := e.attributes(t, url, types.QueueAttributeNameAll)["RedrivePolicy"]; ok {
		t.Error("RedrivePolicy still set after setting it empty")
	}
	e.send(t, url, "n")
	for range 3 {
		if msgs := e.receive(t, url, 1); len(msgs) != 1 {
			t.Fatal("without a redrive policy the message should come back each time")
		}
		e.clock.Advance(31 * time.Second)
	}
}
