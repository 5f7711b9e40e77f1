package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// Alarms are the stage's alarms, by what they watch.
type Alarms struct {
	API5xx      awscloudwatch.Alarm
	APILatency  awscloudwatch.Alarm
	DLQ         awscloudwatch.Alarm
	DBCPU       awscloudwatch.Alarm
	DBConns     awscloudwatch.Alarm
	CostPerHour awscloudwatch.Alarm
	Errors      map[string]awscloudwatch.Alarm
	Throttles   map[string]awscloudwatch.Alarm
	Deployments map[string]awscodedeploy.LambdaDeploymentGroup
}

// alarm is an alarm of the stage, notified to its topic, over threshold
// for periods periods; no data is no breach.
func (s *Innkeeper) alarm(id, description string, metric awscloudwatch.IMetric, threshold float64, periods float64) awscloudwatch.Alarm {
	a := awscloudwatch.NewAlarm(s.Stack, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(FunctionName(s.stage().Name, id)),
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(periods),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	a.AddAlarmAction(s.notify)
	return a
}

func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

// addDeployments makes the alarms and, for every function traffic
// reaches through its alias, a CodeDeploy deployment group: canary 10%
// for 5 minutes in a canary stage, all at once elsewhere, rolled back
// automatically when one of its alarms fires during the shift.
func (s *Innkeeper) addDeployments() *Alarms {
	st := s.stage()
	s.Topic = s.newAlarmTopic()
	s.notify = awscloudwatchactions.NewSnsAction(s.Topic)
	alarm := s.alarm
	a := &Alarms{Errors: map[string]awscloudwatch.Alarm{}, Throttles: map[string]awscloudwatch.Alarm{},
		Deployments: map[string]awscodedeploy.LambdaDeploymentGroup{}}

	api := s.HTTPAPI
	rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("IF(requests > 0, 100 * errors / requests, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   api.MetricServerError(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Sum")}),
			"requests": api.MetricCount(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Sum")}),
		},
		Label:  jsii.String("5xx %"),
		Period: minutes(1),
	})
	a.API5xx = alarm("api-5xx-rate", "More than the stage's share of API requests answered 5xx", rate, st.Max5xxPercent, 2)
	a.APILatency = alarm("api-p95-latency", "API p95 latency above the stage's target",
		api.MetricLatency(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("p95")}), st.MaxP95Ms, 3)
	a.DLQ = alarm("events-dlq-not-empty", "Events are in the dead-letter queue: see docs/runbook.md, DLQ filling up",
		s.DLQs["events"].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Max")}), 0, 1)
	a.DBCPU = alarm("db-cpu", "Database CPU above 80%",
		s.Data.DB.MetricCPUUtilization(&awscloudwatch.MetricOptions{Period: minutes(5)}), 80, 3)
	a.DBConns = alarm("db-connections", "Database connections near the instance's limit",
		s.Data.DB.MetricDatabaseConnections(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Max")}), dbConnectionAlarm(st), 2)

	config := awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE()
	if st.Canary {
		config = awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES()
	}
	app := awscodedeploy.NewLambdaApplication(s.Stack, jsii.String("Deployments"), &awscodedeploy.LambdaApplicationProps{
		ApplicationName: jsii.String(FunctionName(st.Name, "functions")),
	})
	for _, f := range s.props.Manifest.Functions {
		alias := s.Aliases[f.Name]
		id := exportName(f.Name)
		a.Errors[f.Name] = alarm(f.Name+"-errors", "Function "+f.Name+" is failing invocations",
			alias.MetricErrors(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Sum")}), 0, 2)
		a.Throttles[f.Name] = alarm(f.Name+"-throttles", "Function "+f.Name+" is throttled",
			alias.MetricThrottles(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Sum")}), 0, 2)
		if f.Name == "migrate" {
			// Run by the deployment itself, never by traffic.
			continue
		}
		watch := []interfacesawscloudwatch.IAlarmRef{a.Errors[f.Name]}
		if len(s.props.Manifest.RoutesOf(f.Name)) > 0 {
			watch = append(watch, a.API5xx, a.APILatency)
		}
		a.Deployments[f.Name] = awscodedeploy.NewLambdaDeploymentGroup(s.Stack, jsii.String(id+"Deployment"), &awscodedeploy.LambdaDeploymentGroupProps{
			Application:      app,
			Alias:            alias,
			DeploymentConfig: config,
			Alarms:           &watch,
			AutoRollback: &awscodedeploy.AutoRollbackConfig{
				FailedDeployment: jsii.Bool(true), StoppedDeployment: jsii.Bool(true), DeploymentInAlarm: jsii.Bool(true),
			},
		})
	}
	s.alarms = a
	return a
}

// dbConnectionAlarm is 80% of the connections the instance class
// allows (RDS's default max_connections grows with memory).
func dbConnectionAlarm(st Stage) float64 {
	limits := map[string]float64{"t4g.micro": 80, "t4g.small": 180, "t4g.medium": 400, "t4g.large": 800}
	if l, ok := limits[st.DBInstanceClass]; ok {
		return l * 0.8
	}
	return 100
}

// addDashboard shows the stage on one page: traffic, errors, latency,
// queue, database, and every function's invocations and duration.
func (s *Innkeeper) addDashboard() {
	st := s.stage()
	a := s.alarms
	d := awscloudwatch.NewDashboard(s.Stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(FunctionName(st.Name, "overview")),
	})
	wide := jsii.Number(12)
	d.AddWidgets(
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("API 5xx %"), Alarm: a.API5xx, Width: wide}),
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("API p95 latency"), Alarm: a.APILatency, Width: wide}),
	)
	d.AddWidgets(
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Dead letters"), Alarm: a.DLQ, Width: jsii.Number(8)}),
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Database CPU"), Alarm: a.DBCPU, Width: jsii.Number(8)}),
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Database connections"), Alarm: a.DBConns, Width: jsii.Number(8)}),
	)
	d.AddWidgets(
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Metered cost per hour (micro-USD)"), Alarm: a.CostPerHour, Width: wide}),
	)
	var invocations, durations []awscloudwatch.IMetric
	for _, f := range s.props.Manifest.Functions {
		alias := s.Aliases[f.Name]
		invocations = append(invocations, alias.MetricInvocations(&awscloudwatch.MetricOptions{Label: jsii.String(f.Name), Period: minutes(5)}))
		durations = append(durations, alias.MetricDuration(&awscloudwatch.MetricOptions{Label: jsii.String(f.Name), Period: minutes(5), Statistic: jsii.String("p95")}))
	}
	d.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Invocations"), Left: &invocations, Width: wide}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Duration p95 (ms)"), Left: &durations, Width: wide}),
	)
}
