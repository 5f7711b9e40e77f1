package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/topology"
)

// StackProps are what one Innkeeper stack is built from.
type StackProps struct {
	awscdk.StackProps
	Stage    Stage
	Manifest topology.Manifest
	// CodeDir holds <function>/bootstrap for every function: dist, as
	// make build writes it. The binary tested locally is the one
	// deployed.
	CodeDir string
	// WebACLArn is the edge stack's web ACL, for a stage with an Edge.
	WebACLArn *string
	// ConsoleDir is the built web console (make web writes web/dist),
	// deployed to the console bucket behind the distribution in a stage
	// with an Edge; it must hold an index.html.
	ConsoleDir string
	// Version names the release (vX.Y.Z and the commit); it is each
	// function's APP_VERSION and the description of its published
	// version, which is how a rollback finds the previous one.
	Version string
}

// Innkeeper is one deployed stage of the system, built from the
// manifest: everything in it that another construct or a test needs.
type Innkeeper struct {
	Stack awscdk.Stack
	props StackProps

	Network   *Network // nil on LocalStack
	Data      *Data
	Functions map[string]awslambda.Function
	Aliases   map[string]awslambda.Alias
	Queues    map[string]awssqs.Queue
	DLQs      map[string]awssqs.Queue
	HTTPAPI   awsapigatewayv2.HttpApi
	WSAPI     awsapigatewayv2.WebSocketApi
	WSStage   awsapigatewayv2.WebSocketStage
	Uploads   awss3.Bucket
	AppSecret awssecretsmanager.Secret
	// Distribution, OriginSecret and the console exist in a stage with
	// an Edge.
	Distribution awscloudfront.Distribution
	OriginSecret awssecretsmanager.Secret
	Console      *Console
	// Edge is the stage's us-east-1 stack, when it has one.
	Edge *Edge
	// Cost is the stage's us-east-1 stack of Cost Anomaly Detection
	// (deployed stages only).
	Cost *Cost
	// Topic is the stage's alarm topic: alarms, budget and anomaly
	// alerts (deployed stages only).
	Topic  awssns.Topic
	alarms *Alarms
	notify awscloudwatch.IAlarmAction
	// env is each function's environment, filled in as the resources
	// it names are made.
	env map[string]map[string]*string
}

// NewInnkeeperStack builds the stage's stack from the manifest.
func NewInnkeeperStack(scope constructs.Construct, id string, props *StackProps) *Innkeeper {
	if err := props.Manifest.Validate(); err != nil {
		panic(err)
	}
	if err := props.Stage.Validate(); err != nil {
		panic(err)
	}
	if props.Stage.Edge {
		if err := checkConsoleDir(props.ConsoleDir); err != nil {
			panic(err)
		}
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String(fmt.Sprintf("Innkeeper hotel booking, stage %s, release %s", props.Stage.Name, props.Version))
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("innkeeper"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(props.Stage.Name), nil)

	s := &Innkeeper{
		Stack: stack, props: *props,
		Functions: map[string]awslambda.Function{}, Aliases: map[string]awslambda.Alias{},
		Queues: map[string]awssqs.Queue{}, DLQs: map[string]awssqs.Queue{},
		env: map[string]map[string]*string{},
	}
	if !props.Stage.LocalStack {
		s.Network = newNetwork(s)
	}
	s.Data = newData(s)
	s.Uploads = newUploads(s)
	s.addQueues()
	s.addFunctions()
	if props.Stage.LocalStack {
		s.addRESTAPI()
	} else {
		s.addHTTPAPI()
		s.addWebSocketAPI()
		if props.Stage.Edge {
			s.addEdge(props.WebACLArn)
		}
	}
	s.addSchedules()
	s.addQueueConsumers()
	s.addCostSubscriptions()
	s.finishEnvironments()
	s.addMigrationTrigger()
	if !props.Stage.LocalStack {
		s.addDeployments()
		s.addCostGuards()
		s.addRestoreTesting()
		s.addDashboard()
		suppressNag(s)
	}
	return s
}

// stage is the stack's stage.
func (s *Innkeeper) stage() Stage { return s.props.Stage }

// removal is the policy for stateful resources: kept in a protected
// stage, destroyed with the stack elsewhere.
func (s *Innkeeper) removal() awscdk.RemovalPolicy {
	if s.stage().Protect {
		return awscdk.RemovalPolicy_RETAIN
	}
	return awscdk.RemovalPolicy_DESTROY
}

// inVPC places a function in the private subnets.
func (s *Innkeeper) subnets() *awsec2.SubnetSelection {
	return &awsec2.SubnetSelection{SubnetType: s.Network.SubnetType}
}
