// Package schedule runs the topology's EventBridge schedules in the local
// stack: it parses EventBridge schedule expressions, rate(…) and cron(…),
// works out when each rule fires, and invokes the rule's function with the
// scheduled event EventBridge would send.
//
// What it copies from the cloud, because code that works here must work
// there:
//
//   - the syntax: EventBridge's rules for rate and cron expressions,
//     refused where EventBridge refuses them (rate(1 minutes), both day
//     fields set, a field out of range), with an error naming the field;
//   - the times: cron fields are UTC; a rate counts its periods from the
//     rule's start, which here is the scheduler's creation;
//   - the event: {"detail-type":"Scheduled Event","source":"aws.events"},
//     the rule's ARN in resources, the scheduled time to the second, and
//     the schedule's Detail as detail;
//   - the delivery: asynchronous, so a function error or timeout is
//     retried, twice by default as Lambda retries an asynchronous
//     invocation.
//
// It runs on the devstack's clock, so a test that moves the clock a day
// forward sees a daily rule fire without waiting for it.
package schedule
