package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// alarmTopic is the logical id of the stage's alarm topic, found by
// its name.
func alarmTopic(t *testing.T, stage string) string {
	t.Helper()
	for id, r := range resources(t, stage, "AWS::SNS::Topic") {
		if props(r)["TopicName"] == AlarmTopicName(stage) {
			return id
		}
	}
	t.Fatalf("%s: no topic named %s", stage, AlarmTopicName(stage))
	return ""
}

// isRef says whether v is {"Ref": id}.
func isRef(v any, id string) bool { return mustJSON(v) == mustJSON(map[string]any{"Ref": id}) }

// tagsAnded are the tag filters an expression ANDs, as key=value, from
// the Budgets or Cost Explorer expression shape (both spell it the
// same way); only exact matches count.
func tagsAnded(t *testing.T, expr map[string]any) []string {
	t.Helper()
	var out []string
	and, _ := expr["And"].([]any)
	for _, e := range and {
		tags, _ := e.(map[string]any)["Tags"].(map[string]any)
		if tags == nil || mustJSON(tags["MatchOptions"]) != `["EQUALS"]` {
			continue
		}
		for _, v := range anyStrings(tags["Values"]) {
			out = append(out, tags["Key"].(string)+"="+v)
		}
	}
	slices.Sort(out)
	return out
}

// TestMonthlyBudgetPerStage: each deployed stage has one monthly cost
// budget of its own amount, limited to the resources carrying both of
// its cost tags, with a forecast alert and its actual alerts sent to
// the stage's alarm topic; LocalStack has none.
func TestMonthlyBudgetPerStage(t *testing.T) {
	if n := len(resources(t, "localstack", "AWS::Budgets::Budget")); n != 0 {
		t.Errorf("localstack: %d budgets", n)
	}
	for _, stage := range deployed {
		st := Stages[stage]
		topic := alarmTopic(t, stage)
		budgets := resources(t, stage, "AWS::Budgets::Budget")
		if len(budgets) != 1 {
			t.Fatalf("%s: %d budgets, want 1", stage, len(budgets))
		}
		for _, b := range budgets {
			p := props(b)
			data := p["Budget"].(map[string]any)
			limit := data["BudgetLimit"].(map[string]any)
			if data["BudgetType"] != "COST" || data["TimeUnit"] != "MONTHLY" || limit["Amount"] != st.BudgetMonthlyUSD || limit["Unit"] != "USD" {
				t.Errorf("%s: budget %s; want COST, MONTHLY, %g USD", stage, mustJSON(data), st.BudgetMonthlyUSD)
			}
			if data["CostFilters"] != nil {
				t.Errorf("%s: CostFilters %s ORs tag values; the budget must AND app and stage", stage, mustJSON(data["CostFilters"]))
			}
			want := []string{"app=innkeeper", "stage=" + stage}
			if got := tagsAnded(t, data["FilterExpression"].(map[string]any)); !slices.Equal(got, want) {
				t.Errorf("%s: budget filters on %v, want %v", stage, got, want)
			}
			var got []string
			for _, n := range p["NotificationsWithSubscribers"].([]any) {
				nw := n.(map[string]any)
				note := nw["Notification"].(map[string]any)
				if note["ThresholdType"] != "PERCENTAGE" || note["ComparisonOperator"] != "GREATER_THAN" {
					t.Errorf("%s: notification %s", stage, mustJSON(note))
				}
				subs := nw["Subscribers"].([]any)
				if len(subs) != 1 || subs[0].(map[string]any)["SubscriptionType"] != "SNS" || !isRef(subs[0].(map[string]any)["Address"], topic) {
					t.Errorf("%s: %s alert goes to %s, want the alarm topic %s", stage, note["NotificationType"], mustJSON(subs), topic)
				}
				got = append(got, note["NotificationType"].(string)+"@"+strconv.FormatFloat(note["Threshold"].(float64), 'f', -1, 64))
			}
			want = []string{"FORECASTED@" + strconv.FormatFloat(st.BudgetForecastPercent, 'f', -1, 64)}
			for _, a := range st.BudgetActualPercents {
				want = append(want, "ACTUAL@"+strconv.FormatFloat(a, 'f', -1, 64))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: budget alerts %v, want %v", stage, got, want)
			}
		}
	}
}

// TestAnomalyMonitorInUSEast1: each deployed stage has a us-east-1
// stack with a custom anomaly monitor of its two cost tags and an
// immediate subscription of that monitor, over the stage's impact
// threshold, to the stage's alarm topic by its ARN.
func TestAnomalyMonitorInUSEast1(t *testing.T) {
	if _, ok := stacks["localstack-cost"]; ok {
		t.Error("localstack has a cost anomaly stack")
	}
	for _, stage := range deployed {
		st := Stages[stage]
		alarmTopic(t, stage) // the name the subscription's ARN relies on
		cost, ok := stacks[stage+"-cost"]
		if !ok {
			t.Fatalf("%s: no cost anomaly stack", stage)
		}
		if r := *cost.stack.Cost.Stack.Region(); r != "us-east-1" {
			t.Errorf("%s: the anomaly monitor's stack is in %s; CloudFormation has AWS::CE::* in us-east-1 only", stage, r)
		}
		var afterStage bool
		for _, d := range *cost.stack.Cost.Stack.Dependencies() {
			afterStage = afterStage || *d.StackName() == *cost.stack.Stack.StackName()
		}
		if !afterStage {
			t.Errorf("%s: the cost stack may deploy before the stage's alarm topic exists", stage)
		}
		monitors := resources(t, stage+"-cost", "AWS::CE::AnomalyMonitor")
		subs := resources(t, stage+"-cost", "AWS::CE::AnomalySubscription")
		if len(monitors) != 1 || len(subs) != 1 {
			t.Fatalf("%s: %d monitors and %d subscriptions, want one of each", stage, len(monitors), len(subs))
		}
		var monitorID string
		for id, m := range monitors {
			monitorID = id
			p := props(m)
			if p["MonitorType"] != "CUSTOM" {
				t.Errorf("%s: monitor type %v", stage, p["MonitorType"])
			}
			var spec map[string]any
			if err := json.Unmarshal([]byte(p["MonitorSpecification"].(string)), &spec); err != nil {
				t.Fatalf("%s: monitor specification %v: %v", stage, p["MonitorSpecification"], err)
			}
			want := []string{"app=innkeeper", "stage=" + stage}
			if got := tagsAnded(t, spec); !slices.Equal(got, want) {
				t.Errorf("%s: monitor watches %v, want %v", stage, got, want)
			}
		}
		for _, s := range subs {
			p := props(s)
			if mustJSON(p["MonitorArnList"]) != mustJSON([]any{map[string]any{"Fn::GetAtt": []any{monitorID, "MonitorArn"}}}) {
				t.Errorf("%s: subscription monitors %s, want %s", stage, mustJSON(p["MonitorArnList"]), monitorID)
			}
			if p["Frequency"] != "IMMEDIATE" {
				t.Errorf("%s: frequency %v; SNS subscribers need IMMEDIATE", stage, p["Frequency"])
			}
			subscribers := p["Subscribers"].([]any)
			if len(subscribers) != 1 {
				t.Fatalf("%s: %d subscribers", stage, len(subscribers))
			}
			sub := subscribers[0].(map[string]any)
			arn := mustJSON(sub["Address"])
			if sub["Type"] != "SNS" || !strings.Contains(arn, ":sns:"+region()+":${AWS::AccountId}:"+AlarmTopicName(stage)+`"`) {
				t.Errorf("%s: anomalies go to %v %s, want the alarm topic in %s", stage, sub["Type"], arn, region())
			}
			var th map[string]any
			if err := json.Unmarshal([]byte(p["ThresholdExpression"].(string)), &th); err != nil {
				t.Fatalf("%s: threshold %v: %v", stage, p["ThresholdExpression"], err)
			}
			d := th["Dimensions"].(map[string]any)
			values := anyStrings(d["Values"])
			if d["Key"] != "ANOMALY_TOTAL_IMPACT_ABSOLUTE" || mustJSON(d["MatchOptions"]) != `["GREATER_THAN_OR_EQUAL"]` ||
				len(values) != 1 || values[0] != strconv.FormatFloat(st.AnomalyImpactUSD, 'f', -1, 64) {
				t.Errorf("%s: threshold %s, want total impact ≥ %g USD", stage, mustJSON(th), st.AnomalyImpactUSD)
			}
		}
	}
}

// TestAlarmTopicAdmitsCostPublishers: the topic is encrypted with a
// rotated key of its own (the AWS managed SNS key admits no service),
// and both the key and the topic let CloudWatch, Budgets and Cost
// Anomaly Detection publish on behalf of this account only.
func TestAlarmTopicAdmitsCostPublishers(t *testing.T) {
	for _, stage := range deployed {
		topic := alarmTopic(t, stage)
		tp := props(resources(t, stage, "AWS::SNS::Topic")[topic])
		keyRef, _ := tp["KmsMasterKeyId"].(map[string]any)
		if keyRef == nil || keyRef["Fn::GetAtt"] == nil {
			t.Fatalf("%s: topic key %s, want a key of the stack", stage, mustJSON(tp["KmsMasterKeyId"]))
		}
		keyID := keyRef["Fn::GetAtt"].([]any)[0].(string)
		key := resources(t, stage, "AWS::KMS::Key")[keyID]
		if key == nil || props(key)["EnableKeyRotation"] != true {
			t.Fatalf("%s: topic key %s missing or not rotated", stage, keyID)
		}
		admits := func(statements []any, action string) map[string]bool {
			ok := map[string]bool{}
			for _, s := range statements {
				st := s.(map[string]any)
				cond := mustJSON(st["Condition"])
				if st["Effect"] != "Allow" || !slices.Contains(anyStrings(st["Action"]), action) ||
					!strings.Contains(cond, `"aws:SourceAccount":{"Ref":"AWS::AccountId"}`) {
					continue
				}
				principal, _ := st["Principal"].(map[string]any)
				for _, svc := range anyStrings(principal["Service"]) {
					ok[svc] = true
				}
			}
			return ok
		}
		keyAdmits := admits(props(key)["KeyPolicy"].(map[string]any)["Statement"].([]any), "kms:GenerateDataKey*")
		var topicAdmits map[string]bool
		for _, pol := range resources(t, stage, "AWS::SNS::TopicPolicy") {
			p := props(pol)
			if slices.ContainsFunc(p["Topics"].([]any), func(v any) bool { return isRef(v, topic) }) {
				topicAdmits = admits(p["PolicyDocument"].(map[string]any)["Statement"].([]any), "sns:Publish")
			}
		}
		for _, svc := range []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"} {
			if !keyAdmits[svc] || !topicAdmits[svc] {
				t.Errorf("%s: %s may use the key %v and publish to the topic %v", stage, svc, keyAdmits[svc], topicAdmits[svc])
			}
		}
	}
}

// TestHourlyCostAlarm: the alarm sums the ledger's CostMicroUSD over
// every function (the Function schema only, so the by-route copy of
// each value is not counted again) per hour, over the stage's
// threshold, and notifies the alarm topic.
func TestHourlyCostAlarm(t *testing.T) {
	for _, stage := range deployed {
		topic := alarmTopic(t, stage)
		var found bool
		for _, a := range resources(t, stage, "AWS::CloudWatch::Alarm") {
			p := props(a)
			if p["AlarmName"] != FunctionName(stage, "cost-per-hour") {
				continue
			}
			found = true
			metrics := p["Metrics"].([]any)
			if len(metrics) != 1 {
				t.Fatalf("%s: %d metrics in the cost alarm: %s", stage, len(metrics), mustJSON(metrics))
			}
			m := metrics[0].(map[string]any)
			if m["Expression"] != `SELECT SUM(CostMicroUSD) FROM SCHEMA("Innkeeper/Cost", Function)` || m["Period"] != float64(3600) {
				t.Errorf("%s: cost alarm query %v every %vs", stage, m["Expression"], m["Period"])
			}
			// PutMetricAlarm refuses a Metrics Insights alarm whose
			// window (period × evaluation periods) passes three hours.
			if periods, _ := p["EvaluationPeriods"].(float64); periods < 1 || periods*m["Period"].(float64) > 3*3600 {
				t.Errorf("%s: cost alarm window %v × %vs; Metrics Insights alarms look back 3 hours at most", stage, periods, m["Period"])
			}
			if p["Threshold"] != Stages[stage].MaxHourlyCostUSD*1e6 || p["ComparisonOperator"] != "GreaterThanThreshold" || p["TreatMissingData"] != "notBreaching" {
				t.Errorf("%s: cost alarm threshold %v %v (missing data %v), want > %g micro-USD", stage, p["ComparisonOperator"], p["Threshold"], p["TreatMissingData"], Stages[stage].MaxHourlyCostUSD*1e6)
			}
			if !slices.ContainsFunc(p["AlarmActions"].([]any), func(v any) bool { return isRef(v, topic) }) {
				t.Errorf("%s: cost alarm actions %s, want the alarm topic", stage, mustJSON(p["AlarmActions"]))
			}
		}
		if !found {
			t.Errorf("%s: no %s alarm", stage, FunctionName(stage, "cost-per-hour"))
		}
	}
}

// TestCostGuardsFromContext: the cost settings can be overridden per
// deployment, and a value that is not a positive amount is refused.
func TestCostGuardsFromContext(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{
		"stage": "staging", "budgetMonthlyUSD": "42.5", "maxHourlyCostUSD": "0.25", "anomalyImpactUSD": "3",
	}})
	built, err := build(app, codeDir)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(assertions.Template_FromStack(built["staging"].Stack, nil).ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	tpl := string(raw)
	if !strings.Contains(tpl, `"BudgetLimit":{"Amount":42.5,"Unit":"USD"}`) {
		t.Error("budgetMonthlyUSD=42.5 did not set the budget")
	}
	if !strings.Contains(tpl, `"Threshold":250000`) {
		t.Error("maxHourlyCostUSD=0.25 did not set the alarm to 250000 micro-USD")
	}
	if sub := mustJSON(templateOf(built["staging"].Cost.Stack)); !strings.Contains(sub, `\"Values\":[\"3\"]`) {
		t.Errorf("anomalyImpactUSD=3 did not set the anomaly threshold: %s", sub)
	}

	for _, bad := range []string{"0", "-5", "ten", "NaN", "Inf"} {
		for _, key := range []string{"budgetMonthlyUSD", "maxHourlyCostUSD", "anomalyImpactUSD"} {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{key: bad}})
			if _, err := withContext(app, Stages["prod"]); err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s=%s: error %v, want it refused", key, bad, err)
			}
		}
	}
}
