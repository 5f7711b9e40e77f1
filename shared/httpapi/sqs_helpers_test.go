package httpapi_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func sweepEvent(at time.Time) events.EventBridgeEvent {
	return events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: at,
		Detail: json.RawMessage(`{"job":"outbox-sweep"}`)}
}

func deadLetter(url string) *sqs.SendMessageBatchInput {
	return &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String(fmt.Sprintf(`{"type":"reservation.confirmed","reference":"INK-DEM0X1","at":%q}`, time.Now()))},
	}}
}
