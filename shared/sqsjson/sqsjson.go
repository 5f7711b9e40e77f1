// Package sqsjson is the SQS client of the functions that publish to the
// events queue or watch it (api, scheduler, metrics): the three calls
// they make — SendMessageBatch, GetQueueAttributes and
// StartMessageMoveTask — in SQS's AWS JSON 1.0 protocol, with the
// headers the SDK's client sends, over package awsjson (the SDK's SigV4
// signer and standard retry policy). It implements queue.SQSAPI.
//
// It exists instead of the SDK's service/sqs client because that
// package's initialisation (its generated schemas and internal/endpoints
// packages, and smithy's serde) cost about 1.8 ms of every cold start of
// the api function: measured, dropping SQS from the api binary took its
// cold start from about 1.7 to 1.53 times a hello-world aws-lambda-go
// binary's, against a target of 1.5. The tests check this client
// against the SDK's: the same requests, and the SDK reading back what
// this client sent to the local SQS emulator.
//
// Like the SDK's client, SendMessageBatch checks the MD5 of each
// message body SQS reports taking, and fails the call on a mismatch.
package sqsjson

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"innkeeper/shared/awsjson"
	"innkeeper/shared/queue"
)

// service is SQS as the SDK's client calls it: JSON 1.0, targets
// AmazonSQS.<Operation>, and X-Amzn-Query-Mode, which tells SQS to
// answer errors with the x-amzn-query-error header of their legacy
// codes too.
func service() awsjson.Service {
	return awsjson.Service{
		Name:         "sqs",
		TargetPrefix: "AmazonSQS",
		Version:      "1.0",
		Header:       http.Header{"X-Amzn-Query-Mode": {"true"}},
	}
}

// Client calls SQS. It is safe for concurrent use.
type Client struct {
	api *awsjson.Client
}

var _ queue.SQSAPI = (*Client)(nil)

// New is an SQS client for cfg's region and credentials, at endpoint
// when one is given (the devstack's emulator, LocalStack), else at
// https://sqs.<region>.amazonaws.com.
func New(cfg aws.Config, endpoint string) *Client {
	return &Client{api: awsjson.New(cfg, service(), endpoint)}
}

// The operations' inputs and outputs, as the SDK encodes them (field
// names are SQS's; absent members are left out).

type messageAttribute struct {
	DataType    string
	StringValue string
}

type batchEntry struct {
	Id                string
	MessageBody       string
	MessageAttributes map[string]messageAttribute `json:",omitempty"`
}

type sendMessageBatchInput struct {
	Entries  []batchEntry
	QueueUrl string
}

type sendMessageBatchOutput struct {
	Successful []struct {
		Id               string
		MessageId        string
		MD5OfMessageBody string
	}
	Failed []struct {
		Id          string
		Code        string
		Message     string
		SenderFault bool
	}
}

// SendMessageBatch sends messages to the queue at queueURL and reports
// the ids of those SQS took and of those it refused.
func (c *Client) SendMessageBatch(ctx context.Context, queueURL string, messages []queue.Message) ([]string, []queue.BatchFailure, error) {
	in := sendMessageBatchInput{QueueUrl: queueURL, Entries: make([]batchEntry, len(messages))}
	bodies := make(map[string]string, len(messages))
	for i, m := range messages {
		e := batchEntry{Id: m.ID, MessageBody: m.Body}
		if len(m.Attributes) > 0 {
			e.MessageAttributes = make(map[string]messageAttribute, len(m.Attributes))
			for name, a := range m.Attributes {
				e.MessageAttributes[name] = messageAttribute{DataType: a.DataType, StringValue: a.Value}
			}
		}
		in.Entries[i] = e
		bodies[m.ID] = m.Body
	}
	var out sendMessageBatchOutput
	if err := c.api.Call(ctx, "SendMessageBatch", in, &out); err != nil {
		return nil, nil, err // awsjson's errors name the call
	}
	sent := make([]string, 0, len(out.Successful))
	for _, s := range out.Successful {
		body, ok := bodies[s.Id]
		if ok && s.MD5OfMessageBody != "" && s.MD5OfMessageBody != md5Hex(body) {
			// What SQS stored is not what was sent: as the SDK does,
			// fail the call, so that nothing is taken as published.
			return nil, nil, fmt.Errorf("AmazonSQS.SendMessageBatch: message %s (entry %s): MD5 of the body is %s, SQS reports %s",
				s.MessageId, s.Id, md5Hex(body), s.MD5OfMessageBody)
		}
		sent = append(sent, s.Id)
	}
	var failed []queue.BatchFailure
	for _, f := range out.Failed {
		failed = append(failed, queue.BatchFailure{ID: f.Id, Code: f.Code, Message: f.Message, SenderFault: f.SenderFault})
	}
	return sent, failed, nil
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

type getQueueAttributesInput struct {
	AttributeNames []string `json:",omitempty"`
	QueueUrl       string
}

type getQueueAttributesOutput struct {
	Attributes map[string]string
}

// GetQueueAttributes reads the named attributes of the queue at
// queueURL; SQS leaves out those it does not have.
func (c *Client) GetQueueAttributes(ctx context.Context, queueURL string, names ...string) (map[string]string, error) {
	var out getQueueAttributesOutput
	if err := c.api.Call(ctx, "GetQueueAttributes", getQueueAttributesInput{AttributeNames: names, QueueUrl: queueURL}, &out); err != nil {
		return nil, err
	}
	if out.Attributes == nil {
		out.Attributes = map[string]string{}
	}
	return out.Attributes, nil
}

type startMessageMoveTaskInput struct {
	DestinationArn string `json:",omitempty"`
	SourceArn      string
}

type startMessageMoveTaskOutput struct {
	TaskHandle string
}

// StartMessageMoveTask starts moving the messages of the dead-letter
// queue sourceARN to destinationARN (when empty, to the queues they came
// from) and returns the task's handle.
func (c *Client) StartMessageMoveTask(ctx context.Context, sourceARN, destinationARN string) (string, error) {
	var out startMessageMoveTaskOutput
	if err := c.api.Call(ctx, "StartMessageMoveTask", startMessageMoveTaskInput{DestinationArn: destinationARN, SourceArn: sourceARN}, &out); err != nil {
		return "", err
	}
	return out.TaskHandle, nil
}

// Actions are the IAM actions each call of the client needs, by call:
// the infra tests check that every function making a call has them.
// StartMessageMoveTask reads and deletes on the source queue (the DLQ)
// and sends to the destination.
var Actions = map[string][]string{
	"SendMessageBatch":   {"sqs:SendMessage"},
	"GetQueueAttributes": {"sqs:GetQueueAttributes"},
	"StartMessageMoveTask": {
		"sqs:StartMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage",
	},
}
