// Command infra is the CDK app: Innkeeper's stages as CloudFormation
// stacks, built from the manifest in shared/topology, so the cloud
// deploys exactly the functions, routes, queues and schedules the
// devstack runs.
//
//	CDK_OUTDIR=cdk.out go run ./infra                 # every stage
//	cdk synth -c stage=staging -c version=v1.2.3+abc   # one stage
//
// Context: stage (staging, prod, localstack; all when absent), version
// (the release, vX.Y.Z and the commit), consoleDir (the built web
// console, web/dist by default: make web), domain and certificateArn (the
// HTTP API's custom domain), natGateways (egress to Stripe and the
// @connections API: 1 in staging, 2 in prod by default, at least 1),
// originSecretVersion (the origin secret's version CloudFront sends;
// docs/runbook.md), budgetMonthlyUSD, anomalyImpactUSD and
// maxHourlyCostUSD (the stage's cost alerts, in US dollars).
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"innkeeper/shared/cur"
	"innkeeper/shared/topology"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	if _, err := build(app, "dist"); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(2)
	}
	app.Synth(nil)
}

// build adds the stacks the context asks for to the app, reading the
// functions' binaries from codeDir, and returns them by stage.
func build(app awscdk.App, codeDir string) (map[string]*Innkeeper, error) {
	built := map[string]*Innkeeper{}
	names := StageNames()
	if v := contextValue(app, "stage"); v != "" {
		if _, ok := Stages[v]; !ok {
			return nil, fmt.Errorf("unknown stage %q (one of %v)", v, names)
		}
		names = []string{v}
	}
	version := contextValue(app, "version")
	if version == "" {
		version = "dev"
	}
	consoleDir := contextValue(app, "consoleDir")
	if consoleDir == "" {
		consoleDir = DefaultConsoleDir
	}
	for _, name := range names {
		st, err := withContext(app, Stages[name])
		if err != nil {
			return nil, err
		}
		props := &StackProps{
			StackProps: awscdk.StackProps{Env: env(st)},
			Stage:      st, Manifest: topology.Innkeeper, CodeDir: codeDir, Version: version,
		}
		var edge *Edge
		if st.Edge {
			if err := checkConsoleDir(consoleDir); err != nil {
				return nil, err
			}
			props.ConsoleDir = consoleDir
			// The web ACL must be in us-east-1; the stage's stack reads
			// its ARN through the CDK's cross-region references, which
			// need both stacks' regions spelled out.
			edge = NewEdgeStack(app, "innkeeper-"+name+"-edge", &EdgeProps{
				StackProps: awscdk.StackProps{Env: regional(EdgeRegion), CrossRegionReferences: jsii.Bool(true)},
				Stage:      st,
			})
			props.Env = regional(region())
			props.CrossRegionReferences = jsii.Bool(true)
			props.WebACLArn = edge.WebACL.AttrArn()
		}
		s := NewInnkeeperStack(app, "innkeeper-"+name, props)
		s.Edge = edge
		if !st.LocalStack {
			// Cost Anomaly Detection's resource types exist only in
			// CloudFormation's us-east-1; its findings go to the stage's
			// topic, wherever that is.
			s.Cost = NewCostStack(app, "innkeeper-"+name+"-cost", &CostProps{
				StackProps: awscdk.StackProps{Env: regional(CostRegion)},
				Stage:      st, TopicRegion: region(),
			})
			// The topic the subscription names exists first.
			s.Cost.Stack.AddStackDependency(s.Stack, jsii.String("the alarm topic anomalies are sent to"))
		}
		if !st.LocalStack {
			// LocalStack's stage is a developer's emulation, not a
			// deployment: its REST API and missing VPC are by design.
			awscdk.Aspects_Of(s.Stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		}
		built[name] = s
	}
	return built, nil
}

// withContext applies the per-deployment context values to a stage.
func withContext(app awscdk.App, st Stage) (Stage, error) {
	if v := contextValue(app, "domain"); v != "" {
		st.Domain = v
	}
	if v := contextValue(app, "certificateArn"); v != "" {
		st.CertificateARN = v
	}
	if v := contextValue(app, "originSecretVersion"); v != "" {
		st.OriginSecretVersion = v
	}
	for key, field := range map[string]*float64{
		"budgetMonthlyUSD": &st.BudgetMonthlyUSD, "anomalyImpactUSD": &st.AnomalyImpactUSD, "maxHourlyCostUSD": &st.MaxHourlyCostUSD,
	} {
		if v := contextValue(app, key); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f > 0) || math.IsInf(f, 0) {
				return st, fmt.Errorf("%s %q: want a positive number of US dollars", key, v)
			}
			*field = f
		}
	}
	if v := contextValue(app, "curExportUri"); v != "" {
		if _, _, err := cur.ParseS3URI(v); err != nil {
			return st, fmt.Errorf("curExportUri: %w", err)
		}
		st.CURExportURI = v
	}
	if v := contextValue(app, "natGateways"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3 {
			return st, fmt.Errorf("natGateways %q: want 0 to 3", v)
		}
		st.NatGateways = n
	}
	return st, st.Validate()
}

// contextValue is the CDK context value key (-c key=…) as a string, or
// "" when it is not set.
func contextValue(app awscdk.App, key string) string {
	v := app.Node().TryGetContext(jsii.String(key))
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// env pins a stack to the account and region the CLI resolves; a
// LocalStack stage uses LocalStack's fixed account.
func env(st Stage) *awscdk.Environment {
	if st.LocalStack {
		return &awscdk.Environment{Account: jsii.String("000000000000"), Region: jsii.String(region())}
	}
	if acct := os.Getenv("CDK_DEFAULT_ACCOUNT"); acct != "" {
		return &awscdk.Environment{Account: jsii.String(acct), Region: jsii.String(region())}
	}
	return nil
}

// regional is an environment in a given region: the account
// the CLI resolves, if any, and always the region.
func regional(r string) *awscdk.Environment {
	e := &awscdk.Environment{Region: jsii.String(r)}
	if acct := os.Getenv("CDK_DEFAULT_ACCOUNT"); acct != "" {
		e.Account = jsii.String(acct)
	}
	return e
}

func region() string {
	if r := os.Getenv("CDK_DEFAULT_REGION"); r != "" {
		return r
	}
	return "eu-west-1"
}
