package sqs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/local/sqs"
	"innkeeper/shared/topology"
)

func TestEnsureCreatesTheQueueAndItsDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := topology.Queue{
		Name: "emails", Consumer: "mailer", VisibilityTimeout: 3 * time.Minute,
		Retention: 4 * 24 * time.Hour, DLQRetention: 14 * 24 * time.Hour, MaxReceiveCount: 5,
	}
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if url != e.url+"/000000000000/emails" {
		t.Errorf("url = %q", url)
	}
	main := e.attributes(t, url, types.QueueAttributeNameAll)
	if main["VisibilityTimeout"] != "180" || main["MessageRetentionPeriod"] != "345600" ||
		main["RedrivePolicy"] != `{"deadLetterTargetArn":"`+arnPrefix+`emails-dlq","maxReceiveCount":5}` {
		t.Errorf("queue attributes = %v", main)
	}
	dlq := e.attributes(t, strings.Replace(url, "emails", "emails-dlq", 1), types.QueueAttributeNameMessageRetentionPeriod)
	if dlq["MessageRetentionPeriod"] != "1209600" {
		t.Errorf("dead-letter queue retention = %q, want 1209600", dlq["MessageRetentionPeriod"])
	}

	// Again, with the manifest changed: the queue follows.
	q.VisibilityTimeout = 5 * time.Minute
	if again, err := e.srv.Ensure(q); err != nil || again != url {
		t.Fatalf("Ensure again = %q, %v", again, err)
	}
	if v := e.attributes(t, url, types.QueueAttributeNameVisibilityTimeout)["VisibilityTimeout"]; v != "300" {
		t.Errorf("VisibilityTimeout after the second Ensure = %s, want 300", v)
	}
}

func TestEnsureRefusesWhatSQSWould(t *testing.T) {
	t.Parallel()
	srv := sqs.New(sqs.Options{})
	defer srv.Close()
	tests := []struct {
		name string
		q    topology.Queue
	}{
		{"no receive count", topology.Queue{Name: "a"}},
		{"fraction of a second", topology.Queue{Name: "b", MaxReceiveCount: 3, VisibilityTimeout: 1500 * time.Millisecond}},
		{"visibility over 12 hours", topology.Queue{Name: "c", MaxReceiveCount: 3, VisibilityTimeout: 13 * time.Hour}},
		{"bad name", topology.Queue{Name: "d e", MaxReceiveCount: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := srv.Ensure(tt.q); err == nil {
				t.Errorf("Ensure(%+v) succeeded", tt.q)
			}
		})
	}
}

func TestDepth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url, err := e.srv.Ensure(topology.Queue{Name: "deep", MaxReceiveCount: 3})
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	e.send(t, url, "1")
	e.send(t, url, "2")
	e.send(t, url, "3")
	e.receive(t, url, 1)
	if _, err := e.client.SendMessage(ctx(t), sendDelayed(url, 60)); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	visible, inFlight, delayed, err := e.srv.Depth("deep")
	if err != nil || visible != 2 || inFlight != 1 || delayed != 1 {
		t.Errorf("Depth = %d, %d, %d, %v; want 2, 1, 1", visible, inFlight, delayed, err)
	}
	if _, _, _, err := e.srv.Depth("shallow"); !errors.Is(err, sqs.ErrQueueDoesNotExist) {
		t.Errorf("Depth of a missing queue = %v, want ErrQueueDoesNotExist", err)
	}
}
