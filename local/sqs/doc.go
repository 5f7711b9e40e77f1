// Package sqs emulates Amazon SQS standard queues for the local stack, and
// the Lambda event source mapping that feeds a queue's messages to its
// consumer function.
//
// The Server speaks the AWS JSON 1.0 protocol that the SDKs use today
// (POST /, Content-Type application/x-amz-json-1.0, X-Amz-Target
// AmazonSQS.<Action>), so the real aws-sdk-go-v2 client works against it
// unchanged, as does the functions' own client (shared/sqsjson); only the
// endpoint differs. The old Query protocol is refused with an
// explanation.
//
// What it copies from the cloud, because code that works here must work
// there:
//
//   - visibility: each receive hides a message for the visibility
//     timeout, counts the receive and issues a new receipt handle; the
//     message comes back when the timeout ends unless it was deleted;
//   - redrive: a message that has been received maxReceiveCount times is
//     moved to the dead-letter queue on the next receive instead of being
//     delivered, keeping its id and enqueue time, and gaining the
//     DeadLetterQueueSourceArn attribute; StartMessageMoveTask moves the
//     dead letters back as new messages;
//   - delays, retention, long polling (which returns as soon as a message
//     is there), purging at most once a minute;
//   - the checksums the SDKs verify: MD5OfMessageBody and
//     MD5OfMessageAttributes with SQS's binary attribute encoding;
//   - errors as JSON bodies with the x-amzn-query-error header, so the SDK
//     returns its typed errors (types.QueueDoesNotExist, …) and the legacy
//     codes (AWS.SimpleQueueService.NonExistentQueue).
//
// All time (visibility, delays, retention, timestamps, long-poll waits)
// is read from a clock.Clock, so a test can advance it to end a
// visibility timeout without waiting; long polls wake when it moves.
//
// What it leaves out: FIFO queues (refused with UnsupportedOperation),
// permissions, encryption (the attributes are kept, not applied),
// signature checks, and QueueDeletedRecently (a deleted queue's name can
// be reused at once).
//
// The Poller is the event source mapping: it receives batches through the
// Server's Go API, builds the events.SQSEvent Lambda would send, invokes
// the consumer and deletes what succeeded, honouring
// ReportBatchItemFailures as Lambda does.
package sqs
