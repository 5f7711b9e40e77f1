package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// alarmPublishers are the AWS services that publish to a stage's alarm
// topic: CloudWatch alarms, AWS Budgets and Cost Anomaly Detection.
var alarmPublishers = []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"}

// AlarmTopicName is the name of a stage's alarm topic. It is fixed so
// the stage's us-east-1 cost stack can name the topic by its ARN.
func AlarmTopicName(stage string) string { return FunctionName(stage, "alarms") }

// newAlarmTopic is the stage's alarm topic, encrypted with a key of its
// own: the AWS managed key of SNS (alias/aws/sns) cannot be used by
// CloudWatch, Budgets or Cost Anomaly Detection, whose messages to such
// a topic are dropped. The key and the topic admit those three services
// on behalf of this account only.
func (s *Innkeeper) newAlarmTopic() awssns.Topic {
	st := s.stage()
	account := awscdk.Aws_ACCOUNT_ID()
	var services []awsiam.IPrincipal
	for _, p := range alarmPublishers {
		services = append(services, awsiam.NewServicePrincipal(jsii.String(p), nil))
	}
	fromThisAccount := &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}}

	key := awskms.NewKey(s.Stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Innkeeper " + st.Name + ": encrypts the alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     s.removal(),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AlarmPublishers"),
		Principals: &services,
		Actions:    jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources:  jsii.Strings("*"),
		Conditions: fromThisAccount,
	}), nil)

	topic := awssns.NewTopic(s.Stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		TopicName:   jsii.String(AlarmTopicName(st.Name)),
		DisplayName: jsii.String("Innkeeper " + st.Name + " alarms"),
		EnforceSSL:  jsii.Bool(true),
		MasterKey:   key,
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AlarmPublishers"),
		Principals: &services,
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: fromThisAccount,
	}))
	return topic
}
