package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbudgets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsce"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/costingest"
)

// CostRegion is where Cost Anomaly Detection's monitors must be
// declared: CloudFormation knows AWS::CE::AnomalyMonitor and
// AWS::CE::AnomalySubscription in us-east-1 only (elsewhere a template
// with them fails with "Unrecognized resource types").
const CostRegion = "us-east-1"

// costTags are the cost-allocation tags every resource of a stage
// carries (NewInnkeeperStack), by which Budgets and Cost Anomaly
// Detection find the stage's cost. Both must be activated as cost
// allocation tags in the Billing console (docs/runbook.md).
func costTags(stage string) [][2]string {
	return [][2]string{{"app", "innkeeper"}, {"stage", stage}}
}

// hourlyCostQuery sums the ledger's CostMicroUSD over every function.
// The EMF lines carry the metric twice, by Function and by Function and
// Route; SCHEMA(…, Function) takes only the first, so nothing counts
// twice, and a function added to the manifest is counted without a
// change here (a Metrics Insights query, not metric math, which is
// limited to ten metrics).
var hourlyCostQuery = fmt.Sprintf(`SELECT SUM(CostMicroUSD) FROM SCHEMA(%q, Function)`, costingest.EMFNamespace)

// addCostGuards adds the stage's monthly budget and the alarm on its
// hourly cost, both notified to the alarm topic.
func (s *Innkeeper) addCostGuards() {
	st := s.stage()
	topic := s.Topic.TopicArn()
	subscribers := []any{&awsbudgets.CfnBudget_SubscriberProperty{SubscriptionType: jsii.String("SNS"), Address: topic}}
	notify := func(kind string, percent float64) *awsbudgets.CfnBudget_NotificationWithSubscribersProperty {
		return &awsbudgets.CfnBudget_NotificationWithSubscribersProperty{
			Notification: &awsbudgets.CfnBudget_NotificationProperty{
				NotificationType: jsii.String(kind), ComparisonOperator: jsii.String("GREATER_THAN"),
				Threshold: jsii.Number(percent), ThresholdType: jsii.String("PERCENTAGE"),
			},
			Subscribers: &subscribers,
		}
	}
	notifications := []any{notify("FORECASTED", st.BudgetForecastPercent)}
	for _, p := range st.BudgetActualPercents {
		notifications = append(notifications, notify("ACTUAL", p))
	}
	// Both tags must match. The older CostFilters ("TagKeyValue":
	// ["user:app$innkeeper", "user:stage$prod"]) ORs the values of a
	// filter, which would count every stage of the app.
	var both []any
	for _, tag := range costTags(st.Name) {
		both = append(both, &awsbudgets.CfnBudget_ExpressionProperty{Tags: &awsbudgets.CfnBudget_TagValuesProperty{
			Key: jsii.String(tag[0]), Values: jsii.Strings(tag[1]), MatchOptions: jsii.Strings("EQUALS"),
		}})
	}
	awsbudgets.NewCfnBudget(s.Stack, jsii.String("MonthlyBudget"), &awsbudgets.CfnBudgetProps{
		Budget: &awsbudgets.CfnBudget_BudgetDataProperty{
			BudgetName:       jsii.String(FunctionName(st.Name, "monthly")),
			BudgetType:       jsii.String("COST"),
			TimeUnit:         jsii.String("MONTHLY"),
			BudgetLimit:      &awsbudgets.CfnBudget_SpendProperty{Amount: jsii.Number(st.BudgetMonthlyUSD), Unit: jsii.String("USD")},
			FilterExpression: &awsbudgets.CfnBudget_ExpressionProperty{And: &both},
		},
		NotificationsWithSubscribers: &notifications,
	})

	cost := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String(hourlyCostQuery),
		UsingMetrics: &map[string]awscloudwatch.IMetric{},
		Label:        jsii.String("Cost per hour (micro-USD)"),
		Period:       awscdk.Duration_Hours(jsii.Number(1)),
	})
	s.alarms.CostPerHour = s.alarm("cost-per-hour",
		"The stage's metered cost over the last hour passed its threshold: see docs/runbook.md, Cost alerts",
		cost, st.MaxHourlyCostUSD*1e6, 1)
}

// Cost is a stage's us-east-1 stack: the Cost Anomaly Detection
// monitor of the stage's tags and its subscription.
type Cost struct {
	Stack        awscdk.Stack
	Monitor      awsce.CfnAnomalyMonitor
	Subscription awsce.CfnAnomalySubscription
}

// CostProps are what a Cost stack is built from.
type CostProps struct {
	awscdk.StackProps
	Stage Stage
	// TopicRegion is the region of the stage's stack, where its alarm
	// topic (AlarmTopicName) is.
	TopicRegion string
}

// NewCostStack builds the anomaly monitor of the stage's cost (the
// resources tagged with both of its cost tags) and sends every anomaly
// whose total impact reaches the stage's AnomalyImpactUSD to the
// stage's alarm topic, immediately (SNS subscribers take no digest).
func NewCostStack(scope constructs.Construct, id string, props *CostProps) *Cost {
	st := props.Stage
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("Innkeeper stage " + st.Name + ": cost anomaly detection (must be in " + CostRegion + ")")
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	for _, tag := range costTags(st.Name) {
		awscdk.Tags_Of(stack).Add(jsii.String(tag[0]), jsii.String(tag[1]), nil)
	}

	var both []map[string]any
	for _, tag := range costTags(st.Name) {
		both = append(both, map[string]any{"Tags": map[string]any{"Key": tag[0], "Values": []string{tag[1]}, "MatchOptions": []string{"EQUALS"}}})
	}
	monitor := awsce.NewCfnAnomalyMonitor(stack, jsii.String("AnomalyMonitor"), &awsce.CfnAnomalyMonitorProps{
		MonitorName:          jsii.String(FunctionName(st.Name, "cost")),
		MonitorType:          jsii.String("CUSTOM"),
		MonitorSpecification: jsii.String(mustMarshal(map[string]any{"And": both})),
	})
	topic := awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:sns:"+props.TopicRegion+":${AWS::AccountId}:"+AlarmTopicName(st.Name)), nil)
	subscription := awsce.NewCfnAnomalySubscription(stack, jsii.String("AnomalySubscription"), &awsce.CfnAnomalySubscriptionProps{
		SubscriptionName: jsii.String(FunctionName(st.Name, "cost-anomalies")),
		Frequency:        jsii.String("IMMEDIATE"),
		MonitorArnList:   &[]any{monitor.AttrMonitorArn()},
		Subscribers:      &[]any{&awsce.CfnAnomalySubscription_SubscriberProperty{Type: jsii.String("SNS"), Address: topic}},
		ThresholdExpression: jsii.String(mustMarshal(map[string]any{"Dimensions": map[string]any{
			"Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "MatchOptions": []string{"GREATER_THAN_OR_EQUAL"},
			"Values": []string{strconv.FormatFloat(st.AnomalyImpactUSD, 'f', -1, 64)},
		}})),
	})
	return &Cost{Stack: stack, Monitor: monitor, Subscription: subscription}
}

// mustMarshal is v as JSON; v is built here from strings and slices,
// so Marshal cannot fail.
func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
