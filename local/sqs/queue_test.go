package sqs_test

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/local/sqs"
)

func TestStartRefusesAddressesBeyondLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr string
		ok   bool
	}{
		{"ipv4 loopback", "127.0.0.1:0", true},
		{"localhost", "localhost:0", true},
		{"every interface", ":0", false},
		{"unspecified", "0.0.0.0:0", false},
		{"private address", "192.168.1.10:0", false},
		{"host name", "example.com:0", false},
		{"no port", "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sqs.New(sqs.Options{})
			defer srv.Close()
			url, err := srv.Start(tt.addr)
			if tt.ok != (err == nil) {
				t.Fatalf("Start(%q) = %q, %v; want ok=%v", tt.addr, url, err, tt.ok)
			}
			if tt.ok && !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Errorf("url = %q, want http://127.0.0.1:port", url)
			}
		})
	}
}

func TestQueueURLAndARN(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "orders", nil)
	if want := e.url + "/000000000000/orders"; url != want {
		t.Errorf("QueueUrl = %q, want %q", url, want)
	}
	got := e.attributes(t, url, types.QueueAttributeNameQueueArn)["QueueArn"]
	if want := "arn:aws:sqs:eu-west-1:000000000000:orders"; got != want {
		t.Errorf("QueueArn = %q, want %q", got, want)
	}
	// SQS goes by the path of a queue URL, not its host.
	other := strings.Replace(url, "127.0.0.1", "localhost", 1)
	if _, err := e.client.GetQueueAttributes(ctx(t), &awssqs.GetQueueAttributesInput{QueueUrl: &other}); err != nil {
		t.Errorf("a queue URL with another host: %v", err)
	}
}

func TestCreateQueueIsIdempotentForTheSameAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.createQueue(t, "bookings", map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"})

	again := e.createQueue(t, "bookings", map[string]string{"VisibilityTimeout": "60"})
	if again != first {
		t.Errorf("second CreateQueue = %q, want %q", again, first)
	}
	if bare := e.createQueue(t, "bookings", nil); bare != first {
		t.Errorf("CreateQueue without attributes = %q, want %q", bare, first)
	}
	_, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{
		QueueName: aws.String("bookings"), Attributes: map[string]string{"VisibilityTimeout": "30"},
	})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("CreateQueue with another VisibilityTimeout = %v, want QueueNameExists", err)
	}
	if got := e.attributes(t, first, types.QueueAttributeNameVisibilityTimeout)["VisibilityTimeout"]; got != "60" {
		t.Errorf("VisibilityTimeout = %q after the refused create, want 60", got)
	}
}

func TestCreateQueueRefusesInvalidInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name  string
		queue string
		attrs map[string]string
		check func(t *testing.T, err error)
	}{
		{"bad name", "with space", nil, func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"name too long", strings.Repeat("q", 81), nil, func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
		{"fifo", "jobs.fifo", map[string]string{"FifoQueue": "true"}, func(t *testing.T, err error) {
			var unsupported *types.UnsupportedOperation
			if !errors.As(err, &unsupported) {
				t.Fatalf("error = %v, want UnsupportedOperation", err)
			}
		}},
		{"unknown attribute", "q1", map[string]string{"Colour": "blue"}, func(t *testing.T, err error) {
			var bad *types.InvalidAttributeName
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidAttributeName", err)
			}
		}},
		{"fifo attribute on a standard queue", "q2", map[string]string{"ContentBasedDeduplication": "true"}, func(t *testing.T, err error) {
			var bad *types.InvalidAttributeName
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidAttributeName", err)
			}
		}},
		{"visibility too long", "q3", map[string]string{"VisibilityTimeout": "43201"}, func(t *testing.T, err error) {
			var bad *types.InvalidAttributeValue
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidAttributeValue", err)
			}
		}},
		{"retention too short", "q4", map[string]string{"MessageRetentionPeriod": "59"}, func(t *testing.T, err error) {
			var bad *types.InvalidAttributeValue
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidAttributeValue", err)
			}
		}},
		{"not a number", "q5", map[string]string{"DelaySeconds": "soon"}, func(t *testing.T, err error) {
			var bad *types.InvalidAttributeValue
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want InvalidAttributeValue", err)
			}
		}},
		{"dead-letter target missing", "q6", map[string]string{
			"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:nowhere","maxReceiveCount":3}`,
		}, func(t *testing.T, err error) { wantCode(t, err, "InvalidParameterValue") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String(tt.queue), Attributes: tt.attrs})
			tt.check(t, err)
			if _, err := e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String(tt.queue)}); err == nil {
				t.Errorf("the refused queue %s exists", tt.queue)
			}
		})
	}
}

func TestGetQueueURLAndListQueues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var urls []string
	for _, name := range []string{"mail-b", "mail-a", "mail-c", "payments"} {
		urls = append(urls, e.createQueue(t, name, nil))
	}

	got, err := e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("mail-a")})
	if err != nil {
		t.Fatalf("GetQueueUrl: %v", err)
	}
	if aws.ToString(got.QueueUrl) != urls[1] {
		t.Errorf("GetQueueUrl = %q, want %q", aws.ToString(got.QueueUrl), urls[1])
	}
	_, err = e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("mail-a"), QueueOwnerAWSAccountId: aws.String("123456789012")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("GetQueueUrl in another account = %v, want QueueDoesNotExist", err)
	}

	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"all", "", []string{"mail-a", "mail-b", "mail-c", "payments"}},
		{"prefix", "mail-", []string{"mail-a", "mail-b", "mail-c"}},
		{"no match", "zzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.client.ListQueues(ctx(t), &awssqs.ListQueuesInput{QueueNamePrefix: aws.String(tt.prefix)})
			if err != nil {
				t.Fatalf("ListQueues: %v", err)
			}
			if names := names(out.QueueUrls); !slices.Equal(names, tt.want) {
				t.Errorf("ListQueues(%q) = %v, want %v", tt.prefix, names, tt.want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var all []string
		pages := awssqs.NewListQueuesPaginator(e.client, &awssqs.ListQueuesInput{MaxResults: aws.Int32(3)})
		n := 0
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx(t))
			if err != nil {
				t.Fatalf("ListQueues page: %v", err)
			}
			n++
			all = append(all, names(out.QueueUrls)...)
		}
		if want := []string{"mail-a", "mail-b", "mail-c", "payments"}; n != 2 || !slices.Equal(all, want) {
			t.Errorf("%d pages of %v, want 2 pages of %v", n, all, want)
		}
	})
}

func names(urls []string) []string {
	var out []string
	for _, u := range urls {
		out = append(out, u[strings.LastIndex(u, "/")+1:])
	}
	return out
}

func TestQueueAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := e.clock.Now().Unix()
	url := e.createQueue(t, "attrs", map[string]string{"VisibilityTimeout": "45", "Policy": `{"Version":"2012-10-17"}`})
	e.send(t, url, "one")
	e.send(t, url, "two")
	if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("later"), DelaySeconds: 30}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	e.receive(t, url, 1)

	all := e.attributes(t, url, types.QueueAttributeNameAll)
	want := map[string]string{
		"QueueArn":                              "arn:aws:sqs:eu-west-1:000000000000:attrs",
		"VisibilityTimeout":                     "45",
		"MessageRetentionPeriod":                "345600",
		"MaximumMessageSize":                    "1048576",
		"DelaySeconds":                          "0",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"Policy":                                `{"Version":"2012-10-17"}`,
		"ApproximateNumberOfMessages":           "1",
		"ApproximateNumberOfMessagesNotVisible": "1",
		"ApproximateNumberOfMessagesDelayed":    "1",
	}
	for k, v := range want {
		if all[k] != v {
			t.Errorf("%s = %q, want %q", k, all[k], v)
		}
	}
	created, err := strconv.ParseInt(all["CreatedTimestamp"], 10, 64)
	if err != nil || created < before || created > before+5 {
		t.Errorf("CreatedTimestamp = %q, want seconds near %d", all["CreatedTimestamp"], before)
	}
	if _, ok := all["RedrivePolicy"]; ok {
		t.Error("RedrivePolicy listed for a queue without one")
	}

	one := e.attributes(t, url, types.QueueAttributeNameVisibilityTimeout)
	if len(one) != 1 || one["VisibilityTimeout"] != "45" {
		t.Errorf("asking for VisibilityTimeout gave %v", one)
	}

	_, err = e.client.GetQueueAttributes(ctx(t), &awssqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"Colour"}})
	var bad *types.InvalidAttributeName
	if !errors.As(err, &bad) {
		t.Errorf("GetQueueAttributes(Colour) = %v, want InvalidAttributeName", err)
	}
}

func TestSetQueueAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "settable", nil)
	created := e.attributes(t, url, types.QueueAttributeNameLastModifiedTimestamp)["LastModifiedTimestamp"]
	e.clock.Advance(time.Hour)

	_, err := e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{
		"VisibilityTimeout": "120", "ReceiveMessageWaitTimeSeconds": "20",
	}})
	if err != nil {
		t.Fatalf("SetQueueAttributes: %v", err)
	}
	got := e.attributes(t, url, types.QueueAttributeNameAll)
	if got["VisibilityTimeout"] != "120" || got["ReceiveMessageWaitTimeSeconds"] != "20" {
		t.Errorf("attributes after set: %v", got)
	}
	if got["LastModifiedTimestamp"] == created {
		t.Errorf("LastModifiedTimestamp stayed %s", created)
	}

	// A set with one bad attribute changes none.
	_, err = e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{
		"VisibilityTimeout": "10", "QueueArn": "arn:aws:sqs:eu-west-1:000000000000:other",
	}})
	var bad *types.InvalidAttributeName
	if !errors.As(err, &bad) {
		t.Fatalf("setting QueueArn = %v, want InvalidAttributeName", err)
	}
	if v := e.attributes(t, url, types.QueueAttributeNameVisibilityTimeout)["VisibilityTimeout"]; v != "120" {
		t.Errorf("VisibilityTimeout = %s after a refused set, want 120", v)
	}
}

func TestDeleteQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "doomed", nil)
	e.send(t, url, "x")
	if _, err := e.client.DeleteQueue(ctx(t), &awssqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		t.Fatalf("DeleteQueue: %v", err)
	}
	_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("y")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Fatalf("SendMessage to a deleted queue = %v, want QueueDoesNotExist", err)
	}
	// The SDK keeps SQS's legacy code, which older code compares against.
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
	if _, err := e.client.DeleteQueue(ctx(t), &awssqs.DeleteQueueInput{QueueUrl: &url}); !errors.As(err, &missing) {
		t.Errorf("deleting it again = %v, want QueueDoesNotExist", err)
	}
}

func TestPurgeQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "purged", nil)
	e.send(t, url, "a")
	e.send(t, url, "b")
	e.receive(t, url, 1)
	if _, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Fatalf("PurgeQueue: %v", err)
	}
	e.wantCounts(t, url, "0", "0", "0")

	_, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: &url})
	var busy *types.PurgeQueueInProgress
	if !errors.As(err, &busy) {
		t.Fatalf("a second purge within a minute = %v, want PurgeQueueInProgress", err)
	}
	e.clock.Advance(61 * time.Second)
	if _, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Errorf("a purge a minute later: %v", err)
	}
}

func TestQueueTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "ops"}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	url := out.QueueUrl
	if _, err := e.client.TagQueue(ctx(t), &awssqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "local"}}); err != nil {
		t.Fatalf("TagQueue: %v", err)
	}
	if _, err := e.client.UntagQueue(ctx(t), &awssqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"team"}}); err != nil {
		t.Fatalf("UntagQueue: %v", err)
	}
	tags, err := e.client.ListQueueTags(ctx(t), &awssqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		t.Fatalf("ListQueueTags: %v", err)
	}
	if len(tags.Tags) != 1 || tags.Tags["env"] != "local" {
		t.Errorf("tags = %v, want env=local only", tags.Tags)
	}
}

func TestUnsupportedActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue(t, "perms", nil)
	_, err := e.client.AddPermission(ctx(t), &awssqs.AddPermissionInput{
		QueueUrl: &url, Label: aws.String("l"), AWSAccountIds: []string{"111111111111"}, Actions: []string{"SendMessage"},
	})
	var unsupported *types.UnsupportedOperation
	if !errors.As(err, &unsupported) {
		t.Fatalf("AddPermission = %v, want UnsupportedOperation", err)
	}
}

func TestQueryProtocolIsRefusedInItsOwnFormat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := http.Post(e.url+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=ListQueues&Version=2012-11-05"))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>AWS.SimpleQueueService.UnsupportedOperation</Code>") {
		t.Errorf("Query request answered %d %s", resp.StatusCode, body)
	}
}

func TestErrorWireFormat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(`{"QueueName":"missing"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueUrl")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
	if got := resp.Header.Get("x-amzn-query-error"); got != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error = %q", got)
	}
	if want := `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`; string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
}
