package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogsdestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/triggers"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// addQueues makes every manifest queue with its dead-letter queue:
// encrypted, TLS only, redrive after MaxReceiveCount receives.
func (s *Innkeeper) addQueues() {
	for _, q := range s.props.Manifest.Queues {
		id := exportName(q.Name)
		dlq := awssqs.NewQueue(s.Stack, jsii.String(id+"DLQ"), &awssqs.QueueProps{
			QueueName:       jsii.String(FunctionName(s.stage().Name, q.DLQ())),
			RetentionPeriod: awscdk.Duration_Seconds(jsii.Number(q.DLQRetention.Seconds())),
			Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:      jsii.Bool(true),
		})
		queue := awssqs.NewQueue(s.Stack, jsii.String(id+"Queue"), &awssqs.QueueProps{
			QueueName:         jsii.String(FunctionName(s.stage().Name, q.Name)),
			VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(q.VisibilityTimeout.Seconds())),
			RetentionPeriod:   awscdk.Duration_Seconds(jsii.Number(q.Retention.Seconds())),
			Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:        jsii.Bool(true),
			DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(float64(q.MaxReceiveCount))},
		})
		s.Queues[q.Name], s.DLQs[q.Name] = queue, dlq
	}
}

// addQueueConsumers maps each queue to its consumer's live alias, with
// partial batch responses as the manifest says.
func (s *Innkeeper) addQueueConsumers() {
	for _, q := range s.props.Manifest.Queues {
		props := &awslambdaeventsources.SqsEventSourceProps{
			BatchSize:               jsii.Number(float64(q.BatchSize)),
			ReportBatchItemFailures: jsii.Bool(q.ReportBatchItemFailures),
		}
		if q.MaxBatchingWindow > 0 {
			props.MaxBatchingWindow = awscdk.Duration_Seconds(jsii.Number(q.MaxBatchingWindow.Seconds()))
		}
		s.Aliases[q.Consumer].AddEventSource(awslambdaeventsources.NewSqsEventSource(s.Queues[q.Name], props))
	}
}

// addSchedules makes an EventBridge rule per manifest schedule. The
// target input keeps the scheduled event's own shape (id, time,
// resources) with the schedule's detail, as the devstack fires it.
func (s *Innkeeper) addSchedules() {
	for _, sc := range s.props.Manifest.Schedules {
		id := exportName(sc.Name)
		rule := awsevents.NewRule(s.Stack, jsii.String(id+"Rule"), &awsevents.RuleProps{
			RuleName:    jsii.String(FunctionName(s.stage().Name, sc.Name)),
			Description: jsii.String(sc.Description),
			Schedule:    awsevents.Schedule_Expression(jsii.String(sc.Expression)),
		})
		detail := map[string]interface{}{}
		for k, v := range sc.Detail {
			detail[k] = v
		}
		rule.AddTarget(awseventstargets.NewLambdaFunction(s.Aliases[sc.Function], &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
			MaxEventAge:   awscdk.Duration_Minutes(jsii.Number(10)),
			Event: awsevents.RuleTargetInput_FromObject(map[string]interface{}{
				"version":     "0",
				"id":          awsevents.EventField_EventId(),
				"detail-type": "Scheduled Event",
				"source":      "aws.events",
				"account":     awsevents.EventField_Account(),
				"time":        awsevents.EventField_Time(),
				"region":      awsevents.EventField_Region(),
				"resources":   []interface{}{awsevents.EventField_FromPath(jsii.String("$.resources[0]"))},
				"detail":      detail,
			}),
		}))
	}
}

// addCostSubscriptions subscribes the manifest's log consumer (cost
// ingestion) to every other function's log group, with the manifest's
// filter: the devstack's log collector applies the same one.
func (s *Innkeeper) addCostSubscriptions() {
	sub := s.props.Manifest.Logs
	if _, ok := s.Functions[sub.Function]; !ok || sub.Function == "" {
		return
	}
	dest := awslogsdestinations.NewLambdaDestination(s.Aliases[sub.Function], nil)
	for _, f := range s.props.Manifest.Functions {
		if f.Name == sub.Function {
			continue
		}
		awslogs.NewSubscriptionFilter(s.Stack, jsii.String(exportName(f.Name)+"CostSubscription"), &awslogs.SubscriptionFilterProps{
			LogGroup:      s.logGroup(f.Name),
			Destination:   dest,
			FilterPattern: awslogs.FilterPattern_Literal(jsii.String(sub.Filter)),
		})
	}
}

// logGroup is a function's log group.
func (s *Innkeeper) logGroup(fn string) awslogs.ILogGroup {
	return s.Stack.Node().FindChild(jsii.String(exportName(fn) + "Logs")).(awslogs.ILogGroup)
}

// addMigrationTrigger runs functions/migrate during every deployment
// whose migrate binary changed (the migrations are embedded in it):
// after the new versions of every function exist and before any alias
// moves to them, so new code never meets an old schema. Migrations are
// expand/contract, so the old code keeps working on the new schema
// while traffic shifts.
func (s *Innkeeper) addMigrationTrigger() {
	migrate, ok := s.Functions["migrate"]
	if !ok {
		return
	}
	after := []constructs.Construct{}
	for _, f := range s.props.Manifest.Functions {
		after = append(after, s.Functions[f.Name])
	}
	if s.Data.Proxy != nil {
		after = append(after, s.Data.Proxy, s.Data.DB)
	}
	before := []constructs.Construct{}
	for _, f := range s.props.Manifest.Functions {
		if f.Name != "migrate" {
			before = append(before, s.Aliases[f.Name])
		}
	}
	triggers.NewTrigger(s.Stack, jsii.String("MigrateOnDeploy"), &triggers.TriggerProps{
		Handler:                migrate,
		ExecuteAfter:           &after,
		ExecuteBefore:          &before,
		ExecuteOnHandlerChange: jsii.Bool(true),
		InvocationType:         triggers.InvocationType_REQUEST_RESPONSE,
		Timeout:                awscdk.Duration_Minutes(jsii.Number(5)),
	})
}
