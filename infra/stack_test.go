package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// synthesized is one stage's stack and its template as plain JSON.
type synthesized struct {
	stack    *Innkeeper
	template map[string]any
}

var stacks = map[string]synthesized{}

// codeDir holds the placeholder binaries.
var codeDir string

// testCURExport is the CUR 2.0 export the test stacks read the bill from.
const testCURExport = "s3://innkeeper-billing/cur/innkeeper-cur"

// TestMain synthesizes every stage once (starting the CDK's Node
// process takes seconds) and shares the templates with the tests.
func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	code, err := fakeBinaries()
	codeDir = code
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"version": "v1.2.3", "curExportUri": testCURExport, "consoleDir": testConsoleDir}})
	built, err := build(app, code)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, name := range StageNames() {
		tpl := assertions.Template_FromStack(built[name].Stack, nil)
		raw, err := json.Marshal(tpl.ToJSON())
		if err != nil {
			panic(err)
		}
		var t map[string]any
		if err := json.Unmarshal(raw, &t); err != nil {
			panic(err)
		}
		stacks[name] = synthesized{template: t, stack: built[name]}
		if e := built[name].Edge; e != nil {
			stacks[name+"-edge"] = synthesized{template: templateOf(e.Stack), stack: built[name]}
		}
		if c := built[name].Cost; c != nil {
			stacks[name+"-cost"] = synthesized{template: templateOf(c.Stack), stack: built[name]}
		}
	}
	rc := m.Run()
	os.RemoveAll(code)
	jsii.Close()
	os.Exit(rc)
}

// templateOf is a stack's template as plain JSON.
func templateOf(stack awscdk.Stack) map[string]any {
	raw, err := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	if err != nil {
		panic(err)
	}
	var t map[string]any
	if err := json.Unmarshal(raw, &t); err != nil {
		panic(err)
	}
	return t
}

// fakeBinaries is a dist folder with a placeholder bootstrap per
// function: the template does not depend on the binary's bytes.
func fakeBinaries() (string, error) {
	dir, err := os.MkdirTemp("", "innkeeper-dist-")
	if err != nil {
		return "", err
	}
	for _, f := range topology.Innkeeper.Functions {
		if err := os.MkdirAll(filepath.Join(dir, f.Name), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name, "bootstrap"), []byte("#!/bin/sh\n# "+f.Name+"\n"), 0o755); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// resources lists a template's resources of one type, by logical id.
func resources(t *testing.T, stage, typ string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, r := range stacks[stage].template["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// ours are the functions the manifest makes (the CDK adds providers of
// its own for custom resources), by manifest name.
func ours(t *testing.T, stage string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range resources(t, stage, "AWS::Lambda::Function") {
		name, _ := props(r)["FunctionName"].(string)
		if short, ok := strings.CutPrefix(name, "innkeeper-"+stage+"-"); ok {
			out[short] = r
		}
	}
	return out
}

var deployed = []string{"staging", "prod"}

func TestEveryManifestFunctionOnceOnGravitonAL2023(t *testing.T) {
	for _, stage := range StageNames() {
		fns := ours(t, stage)
		if len(fns) != len(topology.Innkeeper.Functions) {
			t.Errorf("%s: %d functions, manifest has %d", stage, len(fns), len(topology.Innkeeper.Functions))
		}
		for _, f := range topology.Innkeeper.Functions {
			r, ok := fns[f.Name]
			if !ok {
				t.Errorf("%s: function %s missing", stage, f.Name)
				continue
			}
			p := props(r)
			checks := []struct {
				name      string
				got, want any
			}{
				{"runtime", p["Runtime"], "provided.al2023"},
				{"architecture", fmt.Sprint(p["Architectures"]), "[arm64]"},
				{"handler", p["Handler"], "bootstrap"},
				{"memory", p["MemorySize"], float64(f.MemoryMB)},
				{"timeout", p["Timeout"], f.Timeout.Seconds()},
				{"tracing", fmt.Sprint(p["TracingConfig"]), "map[Mode:Active]"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s/%s: %s = %v, want %v", stage, f.Name, c.name, c.got, c.want)
				}
			}
			reserved, has := p["ReservedConcurrentExecutions"]
			want := Stages[stage].reserved(f)
			if want > 0 && reserved != float64(want) {
				t.Errorf("%s/%s: reserved concurrency %v, want %d", stage, f.Name, reserved, want)
			}
			if want == 0 && has {
				t.Errorf("%s/%s: reserved concurrency %v, neither manifest nor stage has one", stage, f.Name, reserved)
			}
			if stage != "localstack" && p["VpcConfig"] == nil {
				t.Errorf("%s/%s: not in the VPC", stage, f.Name)
			}
		}
	}
}

// TestFunctionEnvironmentFollowsTheManifest: every variable a function
// reads has a value or its secret's ARN; nothing secret is in a
// template; nothing the function does not read is set.
func TestFunctionEnvironmentFollowsTheManifest(t *testing.T) {
	derived := map[string]bool{"APP_SECRET_ARN": true, "DATABASE_SECRET_ARN": true, "REDIS_SECRET_ARN": true, "ORIGIN_SECRET_ARN": true,
		"STRIPE_SECRET_ARN": true}
	optional := map[string]bool{"AWS_ENDPOINT_URL_SQS": true, "WS_MANAGEMENT_ENDPOINT": true, "COST_PRICE_OVERRIDES": true,
		"CUR_S3_URI": true, "CUR_DIR": true, "STRIPE_API_BASE": true}
	for _, stage := range StageNames() {
		fns := ours(t, stage)
		for _, f := range topology.Innkeeper.Functions {
			vars, _ := props(fns[f.Name])["Environment"].(map[string]any)["Variables"].(map[string]any)
			for _, v := range f.Env {
				_, set := vars[v]
				secret := slices.Contains(secretVars, v)
				if slices.Contains(stripeVars, v) {
					if set {
						t.Errorf("%s/%s: secret %s in the template", stage, f.Name, v)
					}
					if vars[stripeSecrets] == nil {
						t.Errorf("%s/%s: reads %s but has no %s", stage, f.Name, v, stripeSecrets)
					}
					continue
				}
				if slices.Contains(originVars, v) {
					if set {
						t.Errorf("%s/%s: secret %s in the template", stage, f.Name, v)
					}
					if _, named := vars[originSecrets]; named != Stages[stage].Edge {
						t.Errorf("%s/%s: reads %s; %s set %v, want it with an edge only (%v)", stage, f.Name, v, originSecrets, named, Stages[stage].Edge)
					}
					continue
				}
				switch {
				case secret && set:
					t.Errorf("%s/%s: secret %s in the template", stage, f.Name, v)
				case secret && vars[appSecrets] == nil:
					t.Errorf("%s/%s: reads %s but has no %s", stage, f.Name, v, appSecrets)
				case !secret && !set && !optional[v]:
					t.Errorf("%s/%s: reads %s, which the stack does not set", stage, f.Name, v)
				}
			}
			for k := range vars {
				if !slices.Contains(f.Env, k) && !derived[k] {
					t.Errorf("%s/%s: sets %s, which the function does not read", stage, f.Name, k)
				}
			}
			if stage != "localstack" {
				for _, url := range []string{"DATABASE_URL", "REDIS_URL"} {
					if v, ok := vars[url]; ok {
						if regexp.MustCompile(`://[^@/]*:[^@/]*@`).MatchString(fmt.Sprint(v)) {
							t.Errorf("%s/%s: %s carries a password", stage, f.Name, url)
						}
					}
				}
			}
			if got := vars["APP_VERSION"]; slices.Contains(f.Env, "APP_VERSION") && got != "v1.2.3" {
				t.Errorf("%s/%s: APP_VERSION %v, want the release", stage, f.Name, got)
			}
		}
	}
}

func TestQueueDLQAndPartialBatches(t *testing.T) {
	for _, stage := range StageNames() {
		fns := ours(t, stage)
		queues := map[string]map[string]any{}
		for _, r := range resources(t, stage, "AWS::SQS::Queue") {
			queues[props(r)["QueueName"].(string)] = props(r)
		}
		for _, q := range topology.Innkeeper.Queues {
			main, ok := queues[FunctionName(stage, q.Name)]
			if !ok {
				t.Fatalf("%s: queue %s missing (have %v)", stage, q.Name, queues)
			}
			if _, ok := queues[FunctionName(stage, q.DLQ())]; !ok {
				t.Errorf("%s: dead-letter queue %s missing", stage, q.DLQ())
			}
			consumerTimeout := props(fns[q.Consumer])["Timeout"].(float64)
			if vis := main["VisibilityTimeout"].(float64); vis < 6*consumerTimeout {
				t.Errorf("%s: visibility timeout %vs < 6 × %s's timeout %vs", stage, vis, q.Consumer, consumerTimeout)
			}
			redrive := main["RedrivePolicy"].(map[string]any)
			if redrive["maxReceiveCount"] != float64(5) || redrive["maxReceiveCount"] != float64(q.MaxReceiveCount) {
				t.Errorf("%s: maxReceiveCount %v, want 5", stage, redrive["maxReceiveCount"])
			}
			if main["SqsManagedSseEnabled"] != true {
				t.Errorf("%s: queue not encrypted", stage)
			}
		}
		mappings := resources(t, stage, "AWS::Lambda::EventSourceMapping")
		if len(mappings) != len(topology.Innkeeper.Queues) {
			t.Errorf("%s: %d event source mappings, want %d", stage, len(mappings), len(topology.Innkeeper.Queues))
		}
		for _, m := range mappings {
			p := props(m)
			if fmt.Sprint(p["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" {
				t.Errorf("%s: partial batch responses off: %v", stage, p["FunctionResponseTypes"])
			}
			if !strings.Contains(mustJSON(p["FunctionName"]), ":"+AliasName) {
				t.Errorf("%s: queue feeds %s, not the live alias", stage, mustJSON(p["FunctionName"]))
			}
		}
	}
}

func TestEverySchedulePresent(t *testing.T) {
	for _, stage := range StageNames() {
		rules := map[string]map[string]any{}
		for _, r := range resources(t, stage, "AWS::Events::Rule") {
			if props(r)["ScheduleExpression"] != nil {
				rules[props(r)["Name"].(string)] = props(r)
			}
		}
		if len(rules) != len(topology.Innkeeper.Schedules) {
			t.Errorf("%s: %d rules, manifest has %d schedules", stage, len(rules), len(topology.Innkeeper.Schedules))
		}
		for _, sc := range topology.Innkeeper.Schedules {
			r, ok := rules[FunctionName(stage, sc.Name)]
			if !ok {
				t.Errorf("%s: schedule %s missing", stage, sc.Name)
				continue
			}
			if r["ScheduleExpression"] != sc.Expression || r["State"] == "DISABLED" {
				t.Errorf("%s/%s: expression %v state %v", stage, sc.Name, r["ScheduleExpression"], r["State"])
			}
			target := r["Targets"].([]any)[0].(map[string]any)
			template := target["InputTransformer"].(map[string]any)["InputTemplate"].(string)
			for k, v := range sc.Detail {
				if !strings.Contains(template, fmt.Sprintf("%q:%q", k, v)) {
					t.Errorf("%s/%s: event detail lacks %s=%s: %s", stage, sc.Name, k, v, template)
				}
			}
			if !strings.Contains(mustJSON(target["Arn"]), ":"+AliasName) && !strings.Contains(mustJSON(target["Arn"]), "Live") {
				t.Errorf("%s/%s: target %s is not the live alias", stage, sc.Name, mustJSON(target["Arn"]))
			}
		}
	}
}

func TestDatabaseAndCachePrivateEncryptedBackedUp(t *testing.T) {
	wantRetention := map[string]float64{"staging": 7, "prod": 30}
	for _, stage := range deployed {
		dbs := resources(t, stage, "AWS::RDS::DBInstance")
		if len(dbs) != 1 {
			t.Fatalf("%s: %d databases", stage, len(dbs))
		}
		for _, db := range dbs {
			p := props(db)
			if p["PubliclyAccessible"] != false || p["StorageEncrypted"] != true {
				t.Errorf("%s: database public=%v encrypted=%v", stage, p["PubliclyAccessible"], p["StorageEncrypted"])
			}
			if p["BackupRetentionPeriod"] != wantRetention[stage] {
				t.Errorf("%s: backups kept %v days, want %v", stage, p["BackupRetentionPeriod"], wantRetention[stage])
			}
			protected := stage == "prod"
			if (p["DeletionProtection"] == true) != protected || (db["DeletionPolicy"] == "Snapshot") != protected {
				t.Errorf("%s: deletion protection %v, deletion policy %v", stage, p["DeletionProtection"], db["DeletionPolicy"])
			}
		}
		proxies := resources(t, stage, "AWS::RDS::DBProxy")
		for _, px := range proxies {
			if props(px)["RequireTLS"] != true {
				t.Errorf("%s: the proxy does not require TLS", stage)
			}
		}
		if len(proxies) != 1 {
			t.Errorf("%s: %d database proxies, want 1", stage, len(proxies))
		}
		for _, c := range resources(t, stage, "AWS::ElastiCache::ReplicationGroup") {
			p := props(c)
			if p["AtRestEncryptionEnabled"] != true || p["TransitEncryptionEnabled"] != true || p["AuthToken"] == nil {
				t.Errorf("%s: cache at-rest=%v transit=%v auth=%v", stage, p["AtRestEncryptionEnabled"], p["TransitEncryptionEnabled"], p["AuthToken"] != nil)
			}
		}
		// Egress through the stage's NAT gateways, which alone are in
		// the public subnets: every function is in a private one.
		if n := len(resources(t, stage, "AWS::EC2::NatGateway")); n != Stages[stage].NatGateways || n < 1 {
			t.Errorf("%s: %d NAT gateways, want the stage's %d", stage, n, Stages[stage].NatGateways)
		}
		public := map[string]bool{}
		for id, sn := range resources(t, stage, "AWS::EC2::Subnet") {
			if props(sn)["MapPublicIpOnLaunch"] == true {
				public[id] = true
			}
		}
		if len(public) == 0 {
			t.Errorf("%s: no public subnet for the NAT gateways", stage)
		}
		for name, fn := range ours(t, stage) {
			cfg, _ := props(fn)["VpcConfig"].(map[string]any)
			ids, _ := cfg["SubnetIds"].([]any)
			for _, id := range ids {
				ref, _ := id.(map[string]any)["Ref"].(string)
				if ref == "" || public[ref] {
					t.Errorf("%s/%s: in subnet %s, want a private one", stage, name, mustJSON(id))
				}
			}
			if len(ids) == 0 {
				t.Errorf("%s/%s: no subnets", stage, name)
			}
		}
		endpoints := map[string]bool{}
		for _, e := range resources(t, stage, "AWS::EC2::VPCEndpoint") {
			endpoints[regexp.MustCompile(`\.([a-z0-9-]+)"`).FindStringSubmatch(mustJSON(props(e)["ServiceName"]))[1]] = true
		}
		for _, svc := range []string{"s3", "sqs", "secretsmanager", "email", "execute-api"} {
			if !endpoints[svc] {
				t.Errorf("%s: no VPC endpoint for %s (have %v)", stage, svc, endpoints)
			}
		}
	}
}

func TestAliasesAndCodeDeployWithAlarms(t *testing.T) {
	wantConfig := map[string]string{"staging": "CodeDeployDefault.LambdaAllAtOnce", "prod": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}
	for _, stage := range deployed {
		aliases := resources(t, stage, "AWS::Lambda::Alias")
		if len(aliases) != len(topology.Innkeeper.Functions) {
			t.Errorf("%s: %d aliases, want one per function", stage, len(aliases))
		}
		shifted := 0
		for id, a := range aliases {
			if props(a)["Name"] != AliasName {
				t.Errorf("%s: alias %s named %v", stage, id, props(a)["Name"])
			}
			if a["UpdatePolicy"] != nil {
				shifted++
				if !slices.Contains(anyStrings(a["DependsOn"]), "MigrateOnDeploy") {
					t.Errorf("%s: alias %s may shift before the migrations ran", stage, id)
				}
			}
		}
		if shifted != len(topology.Innkeeper.Functions)-1 {
			t.Errorf("%s: %d aliases shifted by CodeDeploy, want all but migrate", stage, shifted)
		}
		for id, g := range resources(t, stage, "AWS::CodeDeploy::DeploymentGroup") {
			p := props(g)
			if p["DeploymentConfigName"] != wantConfig[stage] {
				t.Errorf("%s/%s: deployment config %v", stage, id, p["DeploymentConfigName"])
			}
			alarms := p["AlarmConfiguration"].(map[string]any)
			if alarms["Enabled"] != true || len(alarms["Alarms"].([]any)) == 0 {
				t.Errorf("%s/%s: no alarms", stage, id)
			}
			if !strings.Contains(mustJSON(p["AutoRollbackConfiguration"]), "DEPLOYMENT_STOP_ON_ALARM") {
				t.Errorf("%s/%s: no rollback on alarm", stage, id)
			}
			if strings.HasPrefix(id, "Api") && len(alarms["Alarms"].([]any)) < 3 {
				t.Errorf("%s: the API's deployment does not watch 5xx rate and latency: %v", stage, alarms["Alarms"])
			}
		}
		names := map[string]bool{}
		for _, a := range resources(t, stage, "AWS::CloudWatch::Alarm") {
			names[props(a)["AlarmName"].(string)] = true
		}
		for _, want := range []string{"api-5xx-rate", "api-p95-latency", "events-dlq-not-empty", "db-cpu", "db-connections", "worker-errors", "api-throttles"} {
			if !names[FunctionName(stage, want)] {
				t.Errorf("%s: alarm %s missing", stage, want)
			}
		}
		if len(resources(t, stage, "Custom::Trigger")) != 1 {
			t.Errorf("%s: no migration trigger", stage)
		}
	}
}

func TestHTTPAndWebSocketRoutesFromTheManifest(t *testing.T) {
	for _, stage := range deployed {
		keys := map[string]bool{}
		routes := resources(t, stage, "AWS::ApiGatewayV2::Route")
		for _, r := range routes {
			keys[props(r)["RouteKey"].(string)] = true
		}
		for _, r := range topology.Innkeeper.Routes {
			if !keys[r.Key()] {
				t.Errorf("%s: route %s missing", stage, r.Key())
			}
		}
		for _, r := range topology.Innkeeper.WebSocket.Routes {
			if !keys[r.Key] {
				t.Errorf("%s: WebSocket route %s missing", stage, r.Key)
			}
		}
		if want := len(topology.Innkeeper.Routes) + len(topology.Innkeeper.WebSocket.Routes); len(routes) != want {
			t.Errorf("%s: %d routes, manifest has %d", stage, len(routes), want)
		}
		for _, api := range resources(t, stage, "AWS::ApiGatewayV2::Api") {
			p := props(api)
			if p["ProtocolType"] != "HTTP" {
				continue
			}
			origins := anyStrings(p["CorsConfiguration"].(map[string]any)["AllowOrigins"])
			if len(origins) == 0 {
				t.Errorf("%s: no CORS origins", stage)
			}
			for _, o := range origins {
				if strings.Contains(o, "*") {
					t.Errorf("%s: CORS origin %q", stage, o)
				}
			}
		}
		for _, s := range resources(t, stage, "AWS::ApiGatewayV2::Stage") {
			p := props(s)
			logs, _ := p["AccessLogSettings"].(map[string]any)
			if logs == nil || !json.Valid([]byte(logs["Format"].(string))) {
				t.Errorf("%s: stage %v without JSON access logs", stage, p["StageName"])
			}
			throttle, _ := p["DefaultRouteSettings"].(map[string]any)
			if throttle == nil || throttle["ThrottlingRateLimit"] == nil || throttle["ThrottlingBurstLimit"] == nil {
				t.Errorf("%s: stage %v not throttled", stage, p["StageName"])
			}
		}
	}
	if n := len(resources(t, "localstack", "AWS::ApiGatewayV2::Api")); n != 0 {
		t.Errorf("localstack: %d API Gateway v2 APIs, which its free tier lacks", n)
	}
	if n := len(resources(t, "localstack", "AWS::ApiGateway::RestApi")); n != 1 {
		t.Errorf("localstack: %d REST APIs, want 1", n)
	}
}

// TestLeastPrivilege: no statement allows every action, no FullAccess
// managed policy, and Resource "*" only for the actions that take no
// resource (X-Ray, log retention).
func TestLeastPrivilege(t *testing.T) {
	resourceless := regexp.MustCompile(`^(xray:Put(TraceSegments|TelemetryRecords)|logs:(Put|Delete)RetentionPolicy|backup:PutRestoreValidationResult)$`)
	for _, stage := range StageNames() {
		for id, pol := range resources(t, stage, "AWS::IAM::Policy") {
			for _, st := range props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				s := st.(map[string]any)
				actions := anyStrings(s["Action"])
				for _, a := range actions {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s/%s: action %q", stage, id, a)
					}
				}
				if s["Effect"] == "Allow" && slices.Contains(anyStrings(s["Resource"]), "*") {
					for _, a := range actions {
						if !resourceless.MatchString(a) {
							t.Errorf("%s/%s: %s on every resource", stage, id, a)
						}
					}
				}
			}
		}
		for id, role := range resources(t, stage, "AWS::IAM::Role") {
			if strings.Contains(mustJSON(props(role)["ManagedPolicyArns"]), "FullAccess") {
				t.Errorf("%s/%s: FullAccess managed policy", stage, id)
			}
		}
	}
}

func TestUploadsBucketPrivateVersionedEncrypted(t *testing.T) {
	for _, stage := range StageNames() {
		found := false
		for _, b := range resources(t, stage, "AWS::S3::Bucket") {
			p := props(b)
			if p["VersioningConfiguration"] == nil {
				continue
			}
			found = true
			block := p["PublicAccessBlockConfiguration"].(map[string]any)
			for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				if block[k] != true {
					t.Errorf("%s: uploads %s off", stage, k)
				}
			}
			if p["BucketEncryption"] == nil || p["LifecycleConfiguration"] == nil {
				t.Errorf("%s: uploads without encryption or lifecycle", stage)
			}
		}
		if !found {
			t.Errorf("%s: no versioned uploads bucket", stage)
		}
	}
}

func TestLogRetentionPerStage(t *testing.T) {
	for _, stage := range StageNames() {
		want := Stages[stage].LogRetentionDays
		for _, f := range topology.Innkeeper.Functions {
			var days any
			for _, lg := range resources(t, stage, "AWS::Logs::LogGroup") {
				if props(lg)["LogGroupName"] == "/aws/lambda/"+FunctionName(stage, f.Name) {
					days = props(lg)["RetentionInDays"]
				}
			}
			if days == nil || days.(float64) < float64(want) {
				t.Errorf("%s/%s: log retention %v, want ≥ %d days", stage, f.Name, days, want)
			}
		}
	}
}

// TestNagFindsNoUnsuppressedError runs cdk-nag's AwsSolutions pack on
// the deployed stages: every finding is fixed or carries a reason.
func TestNagFindsNoUnsuppressedError(t *testing.T) {
	for _, stage := range deployed {
		ann := assertions.Annotations_FromStack(stacks[stage].stack.Stack)
		errs := ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
		for _, e := range *errs {
			t.Errorf("%s: %s: %v", stage, *e.Id, e.Entry.Data)
		}
		warns := ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
		for _, w := range *warns {
			t.Errorf("%s: warning %s: %v", stage, *w.Id, w.Entry.Data)
		}
	}
	for _, sp := range suppressions {
		if len(strings.TrimSpace(sp.reason)) < 40 {
			t.Errorf("suppression %s: reason too thin: %q", sp.rule, sp.reason)
		}
	}
}

func TestStageValidation(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Stage)
		ok     bool
	}{
		{"staging as is", func(*Stage) {}, true},
		{"wildcard origin", func(s *Stage) { s.CORSOrigins = []string{"*"} }, false},
		{"wildcard subdomain", func(s *Stage) { s.CORSOrigins = []string{"https://*.example.com"} }, false},
		{"no origins", func(s *Stage) { s.CORSOrigins = nil }, false},
		{"domain without certificate", func(s *Stage) { s.Domain = "api.example.com" }, false},
		{"no backups", func(s *Stage) { s.BackupRetentionDay = 0 }, false},
		{"no budget", func(s *Stage) { s.BudgetMonthlyUSD = 0 }, false},
		{"no forecast alert", func(s *Stage) { s.BudgetForecastPercent = 0 }, false},
		{"no actual alert", func(s *Stage) { s.BudgetActualPercents = nil }, false},
		{"negative actual alert", func(s *Stage) { s.BudgetActualPercents = []float64{80, -1} }, false},
		{"no anomaly threshold", func(s *Stage) { s.AnomalyImpactUSD = 0 }, false},
		{"no hourly cost alarm", func(s *Stage) { s.MaxHourlyCostUSD = 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Stages["staging"]
			tt.modify(&st)
			if err := st.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestLocalStackStageUsesOnlyWhatLocalStackEmulates(t *testing.T) {
	for _, typ := range []string{"AWS::EC2::VPC", "AWS::RDS::DBInstance", "AWS::ElastiCache::ReplicationGroup", "AWS::CodeDeploy::DeploymentGroup"} {
		if n := len(resources(t, "localstack", typ)); n != 0 {
			t.Errorf("localstack: %d %s", n, typ)
		}
	}
	for _, f := range ours(t, "localstack") {
		vars := props(f)["Environment"].(map[string]any)["Variables"].(map[string]any)
		if u, ok := vars["DATABASE_URL"]; ok && !strings.Contains(u.(string), "@postgres:5432/") {
			t.Errorf("localstack: DATABASE_URL %v is not the compose PostgreSQL", u)
		}
	}
}

func TestRetentionChoices(t *testing.T) {
	if retention(14) == retention(15) || retention(1) != retention(0) {
		t.Error("retention does not pick the smallest choice that keeps long enough")
	}
	if got := exportName("expire-holds"); got != "ExpireHolds" {
		t.Errorf("exportName = %q", got)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// anyStrings reads a template value that is a string or a list of them.
func anyStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestPushesThroughNAT: every deployed stage has egress (its NAT
// gateways), so the worker and ws get the @connections endpoint and the
// grant to call it, and no other function does; a stage without NAT is
// refused, for the api and the worker could not reach Stripe.
func TestPushesThroughNAT(t *testing.T) {
	for _, stage := range deployed {
		for name, f := range ours(t, stage) {
			vars := props(f)["Environment"].(map[string]any)["Variables"].(map[string]any)
			endpoint := strings.Contains(mustJSON(vars["WS_MANAGEMENT_ENDPOINT"]), "Fn::Join")
			granted := slices.Contains(roleActions(t, stage, f), "execute-api:ManageConnections")
			want := name == "worker" || name == "ws"
			if endpoint != want || granted != want {
				t.Errorf("%s: %s has the @connections endpoint %v and grant %v, want %v", stage, name, endpoint, granted, want)
			}
		}
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"stage": "staging", "natGateways": "0"}})
	if _, err := build(app, codeDir); err == nil || !strings.Contains(err.Error(), "NAT gateway") || !strings.Contains(err.Error(), "Stripe") {
		t.Fatalf("natGateways=0: %v, want the stage refused for want of egress to Stripe", err)
	}
}

// TestCostIngestionSubscribesToEveryOtherLogGroup: each function's log
// group but the consumer's own feeds cost ingestion's live alias with
// the manifest's filter, the one the devstack's collector applies.
func TestCostIngestionSubscribesToEveryOtherLogGroup(t *testing.T) {
	sub := topology.Innkeeper.Logs
	for _, stage := range StageNames() {
		filters := resources(t, stage, "AWS::Logs::SubscriptionFilter")
		if len(filters) != len(topology.Innkeeper.Functions)-1 {
			t.Errorf("%s: %d subscription filters, want one per function but %s", stage, len(filters), sub.Function)
		}
		for id, f := range filters {
			p := props(f)
			if p["FilterPattern"] != sub.Filter {
				t.Errorf("%s/%s: pattern %v, want %q", stage, id, p["FilterPattern"], sub.Filter)
			}
			if !strings.Contains(mustJSON(p["DestinationArn"]), exportName(sub.Function)+"Live") {
				t.Errorf("%s/%s: destination %s is not %s's live alias", stage, id, mustJSON(p["DestinationArn"]), sub.Function)
			}
		}
	}
}

// sgID is the logical id a template value {"Fn::GetAtt": [id, "GroupId"]}
// names, or "".
func sgID(v any) string {
	m, _ := v.(map[string]any)
	att, _ := m["Fn::GetAtt"].([]any)
	if len(att) == 2 && att[1] == "GroupId" {
		id, _ := att[0].(string)
		return id
	}
	return ""
}

// ingressSources lists, for each security group, the groups it admits,
// from standalone ingress rules and the groups' inline ones.
func ingressSources(t *testing.T, stage string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range resources(t, stage, "AWS::EC2::SecurityGroupIngress") {
		p := props(r)
		src := sgID(p["SourceSecurityGroupId"])
		if src == "" {
			src = fmt.Sprint(p["CidrIp"], p["CidrIpv6"], p["SourcePrefixListId"])
		}
		out[sgID(p["GroupId"])] = append(out[sgID(p["GroupId"])], src)
	}
	for id, r := range resources(t, stage, "AWS::EC2::SecurityGroup") {
		rules, _ := props(r)["SecurityGroupIngress"].([]any)
		for _, rule := range rules {
			p := rule.(map[string]any)
			src := sgID(p["SourceSecurityGroupId"])
			if src == "" {
				src = fmt.Sprint(p["CidrIp"], p["CidrIpv6"], p["SourcePrefixListId"])
			}
			out[id] = append(out[id], src)
		}
	}
	return out
}

// TestDatabaseAdmitsOnlyItsProxy: RDS Proxy has a security group of
// its own; the functions reach the proxy and never the instance, which
// admits the proxy and its secret's rotation function only.
func TestDatabaseAdmitsOnlyItsProxy(t *testing.T) {
	for _, stage := range deployed {
		var dbSG, proxySG, fnSG string
		for _, db := range resources(t, stage, "AWS::RDS::DBInstance") {
			groups, _ := props(db)["VPCSecurityGroups"].([]any)
			if len(groups) != 1 {
				t.Fatalf("%s: database in %d security groups, want 1", stage, len(groups))
			}
			dbSG = sgID(groups[0])
		}
		for _, px := range resources(t, stage, "AWS::RDS::DBProxy") {
			groups, _ := props(px)["VpcSecurityGroupIds"].([]any)
			if len(groups) != 1 {
				t.Fatalf("%s: proxy in %d security groups, want 1", stage, len(groups))
			}
			proxySG = sgID(groups[0])
		}
		for _, f := range ours(t, stage) {
			groups, _ := props(f)["VpcConfig"].(map[string]any)["SecurityGroupIds"].([]any)
			fnSG = sgID(groups[0])
		}
		if dbSG == "" || proxySG == "" || dbSG == proxySG {
			t.Fatalf("%s: database group %q, proxy group %q: want two groups", stage, dbSG, proxySG)
		}
		in := ingressSources(t, stage)
		if !slices.Equal(in[proxySG], []string{fnSG}) {
			t.Errorf("%s: the proxy admits %v, want the functions (%s) only", stage, in[proxySG], fnSG)
		}
		if !slices.Contains(in[dbSG], proxySG) {
			t.Errorf("%s: the database does not admit its proxy: %v", stage, in[dbSG])
		}
		for _, src := range in[dbSG] {
			if src == proxySG {
				continue
			}
			if src == fnSG || !strings.HasPrefix(src, "RotationSG") {
				t.Errorf("%s: the database admits %s, neither its proxy nor its secret's rotation", stage, src)
			}
		}
		for id, r := range resources(t, stage, "AWS::Lambda::Function") {
			vpc, _ := props(r)["VpcConfig"].(map[string]any)
			groups, _ := vpc["SecurityGroupIds"].([]any)
			for _, g := range groups {
				if sgID(g) == dbSG || sgID(g) == proxySG {
					t.Errorf("%s: function %s runs in the database's or the proxy's group", stage, id)
				}
			}
		}
	}
}

// TestBookingWritesThrottledPerRoute: each public write route has a
// throttle of its own below the stage's; reads keep the stage's. The
// api function has the stage's reserved concurrency.
func TestBookingWritesThrottledPerRoute(t *testing.T) {
	writes := BookingWrites(topology.Innkeeper)
	keys := map[string]bool{}
	for _, r := range writes {
		keys[r.Key()] = true
	}
	if !keys["POST /v1/reservations"] || !keys["POST /v1/reservations/{reference}/cancel"] || keys["GET /v1/hotels"] || keys["POST /v1/admin/hotels"] {
		t.Fatalf("booking writes %v: want the public POSTs only", keys)
	}
	for _, stage := range deployed {
		st := Stages[stage]
		found := 0
		for _, sr := range resources(t, stage, "AWS::ApiGatewayV2::Stage") {
			p := props(sr)
			if p["StageName"] != "$default" {
				continue
			}
			found++
			def := p["DefaultRouteSettings"].(map[string]any)
			settings, _ := p["RouteSettings"].(map[string]any)
			if len(settings) != len(writes) {
				t.Errorf("%s: %d routes with their own throttle, want %d: %v", stage, len(settings), len(writes), settings)
			}
			for key := range keys {
				rs, _ := settings[key].(map[string]any)
				if rs["ThrottlingRateLimit"] != st.BookingWriteRate || rs["ThrottlingBurstLimit"] != st.BookingWriteBurst {
					t.Errorf("%s: %s throttled %v, want rate %v burst %v", stage, key, rs, st.BookingWriteRate, st.BookingWriteBurst)
				}
				if rs["ThrottlingRateLimit"].(float64) >= def["ThrottlingRateLimit"].(float64) {
					t.Errorf("%s: %s no stricter than the stage", stage, key)
				}
			}
			if len(anyStrings(sr["DependsOn"])) < len(topology.Innkeeper.RoutesOf("api")) {
				t.Errorf("%s: the stage does not wait for the routes its settings name", stage)
			}
		}
		if found != 1 {
			t.Errorf("%s: %d HTTP stages", stage, found)
		}
		api := props(ours(t, stage)["api"])
		if api["ReservedConcurrentExecutions"] == nil || api["ReservedConcurrentExecutions"] != float64(st.ReservedConcurrency["api"]) {
			t.Errorf("%s: api reserved concurrency %v, want the stage's %d", stage, api["ReservedConcurrentExecutions"], st.ReservedConcurrency["api"])
		}
	}
}

// TestEdgeInProductionOnly: production's HTTP API is behind CloudFront
// with a us-east-1 web ACL (a rate rule per address, AWS's common and
// known-bad-inputs rule groups), and CloudFront sends the origin secret
// the api function reads; no other stage has any of it.
func TestEdgeInProductionOnly(t *testing.T) {
	for _, stage := range StageNames() {
		dists := resources(t, stage, "AWS::CloudFront::Distribution")
		_, hasEdge := stacks[stage+"-edge"]
		if !Stages[stage].Edge {
			if len(dists) != 0 || hasEdge {
				t.Errorf("%s: %d distributions, edge stack %v; want none", stage, len(dists), hasEdge)
			}
			continue
		}
		if !hasEdge || len(dists) != 1 {
			t.Fatalf("%s: %d distributions, edge stack %v; want one of each", stage, len(dists), hasEdge)
		}
		if r := *stacks[stage].stack.Edge.Stack.Region(); r != "us-east-1" {
			t.Errorf("%s: the web ACL's stack is in %s; CloudFront's must be in us-east-1", stage, r)
		}
		acls := resources(t, stage+"-edge", "AWS::WAFv2::WebACL")
		if len(acls) != 1 {
			t.Fatalf("%s: %d web ACLs in the edge stack", stage, len(acls))
		}
		for _, acl := range acls {
			p := props(acl)
			if p["Scope"] != "CLOUDFRONT" {
				t.Errorf("%s: web ACL scope %v", stage, p["Scope"])
			}
			var rate bool
			groups := map[string]bool{}
			for _, r := range p["Rules"].([]any) {
				st := r.(map[string]any)["Statement"].(map[string]any)
				if rb, ok := st["RateBasedStatement"].(map[string]any); ok {
					rate = rb["AggregateKeyType"] == "IP" && rb["Limit"] == float64(Stages[stage].EdgeRateLimit) &&
						mustJSON(r.(map[string]any)["Action"]) == `{"Block":{}}`
				}
				if mg, ok := st["ManagedRuleGroupStatement"].(map[string]any); ok && mg["VendorName"] == "AWS" {
					groups[mg["Name"].(string)] = true
				}
			}
			if !rate || !groups["AWSManagedRulesCommonRuleSet"] || !groups["AWSManagedRulesKnownBadInputsRuleSet"] {
				t.Errorf("%s: web ACL rules: rate per address %v, managed groups %v", stage, rate, groups)
			}
		}
		for _, d := range dists {
			cfg := props(d)["DistributionConfig"].(map[string]any)
			if cfg["WebACLId"] == nil {
				t.Errorf("%s: the distribution has no web ACL", stage)
			}
			// The console's bucket and the HTTP API (console_test.go).
			origins := cfg["Origins"].([]any)
			var o map[string]any
			for _, raw := range origins {
				if strings.Contains(mustJSON(raw.(map[string]any)["DomainName"]), "execute-api") {
					o = raw.(map[string]any)
				}
			}
			if len(origins) != 2 || o == nil {
				t.Fatalf("%s: %d origins, API origin %v; want the console's and the API's", stage, len(origins), o != nil)
			}
			if !strings.Contains(mustJSON(o["DomainName"]), "execute-api") || !strings.Contains(mustJSON(o["DomainName"]), "HttpApi") {
				t.Errorf("%s: origin %s is not the HTTP API", stage, mustJSON(o["DomainName"]))
			}
			var header bool
			for _, h := range o["OriginCustomHeaders"].([]any) {
				hv := h.(map[string]any)
				header = header || hv["HeaderName"] == httpapi.OriginHeader &&
					strings.Contains(mustJSON(hv["HeaderValue"]), "resolve:secretsmanager:") &&
					strings.Contains(mustJSON(hv["HeaderValue"]), "OriginSecret") &&
					strings.Contains(mustJSON(hv["HeaderValue"]), ":SecretString:ORIGIN_SECRET:")
			}
			if !header {
				t.Errorf("%s: the origin gets no %s from the origin secret: %s", stage, httpapi.OriginHeader, mustJSON(o["OriginCustomHeaders"]))
			}
			if mustJSON(o["CustomOriginConfig"]) == "" || o["CustomOriginConfig"].(map[string]any)["OriginProtocolPolicy"] != "https-only" {
				t.Errorf("%s: origin protocol %s", stage, mustJSON(o["CustomOriginConfig"]))
			}
		}
		vars := props(ours(t, stage)["api"])["Environment"].(map[string]any)["Variables"].(map[string]any)
		if !strings.Contains(mustJSON(vars[originSecrets]), "OriginSecret") {
			t.Errorf("%s: the api function is not told the origin secret: %v", stage, vars[originSecrets])
		}
	}
}

// TestWeeklyRestoreTestValidated: the database is backed up into a
// vault of AWS Backup and restored weekly from the latest recovery
// point into an instance only the restore checker reaches; a completed
// restore test invokes the checker, which may report the result, and
// a restore slower than the RTO raises an alarm.
func TestWeeklyRestoreTestValidated(t *testing.T) {
	for _, stage := range deployed {
		plans := resources(t, stage, "AWS::Backup::RestoreTestingPlan")
		sels := resources(t, stage, "AWS::Backup::RestoreTestingSelection")
		if len(plans) != 1 || len(sels) != 1 || len(resources(t, stage, "AWS::Backup::BackupSelection")) != 1 {
			t.Fatalf("%s: %d restore testing plans, %d selections, want 1 each and a backup selection", stage, len(plans), len(sels))
		}
		for _, p := range plans {
			pp := props(p)
			sel := pp["RecoveryPointSelection"].(map[string]any)
			if !strings.Contains(pp["ScheduleExpression"].(string), "SUN") || sel["Algorithm"] != "LATEST_WITHIN_WINDOW" || !strings.Contains(mustJSON(sel["IncludeVaults"]), "BackupVault") {
				t.Errorf("%s: restore testing plan %s", stage, mustJSON(pp))
			}
		}
		for _, s := range sels {
			sp := props(s)
			if sp["ProtectedResourceType"] != "RDS" || !strings.Contains(mustJSON(sp["ProtectedResourceArns"]), "Database") {
				t.Errorf("%s: restore selection %s", stage, mustJSON(sp))
			}
			if !strings.Contains(mustJSON(sp["RestoreMetadataOverrides"]), "RestoredDatabaseSG") {
				t.Errorf("%s: the restored instance is not in its own security group: %s", stage, mustJSON(sp["RestoreMetadataOverrides"]))
			}
		}
		in := ingressSources(t, stage)
		for id := range resources(t, stage, "AWS::EC2::SecurityGroup") {
			if strings.HasPrefix(id, "RestoredDatabaseSG") && (len(in[id]) != 1 || !strings.HasPrefix(in[id][0], "RestoreCheckSG")) {
				t.Errorf("%s: the restored instance admits %v, want the restore checker only", stage, in[id])
			}
		}
		var rule bool
		for _, r := range resources(t, stage, "AWS::Events::Rule") {
			p := props(r)
			pattern := mustJSON(p["EventPattern"])
			if strings.Contains(pattern, `"aws.backup"`) && strings.Contains(pattern, "Restore Job State Change") && strings.Contains(pattern, "COMPLETED") {
				rule = strings.Contains(mustJSON(p["Targets"]), exportName(restoreChecker)+"Live")
			}
		}
		if !rule {
			t.Errorf("%s: no rule sends completed restore tests to the restore checker", stage)
		}
		var rto bool
		for _, a := range resources(t, stage, "AWS::CloudWatch::Alarm") {
			p := props(a)
			if p["MetricName"] == "RestoreSeconds" && p["Threshold"] == float64(3600) {
				rto = true
			}
		}
		if !rto {
			t.Errorf("%s: no alarm on a restore over the one-hour RTO", stage)
		}
		vars := props(ours(t, stage)[restoreChecker])["Environment"].(map[string]any)["Variables"].(map[string]any)
		if strings.Contains(mustJSON(vars["DATABASE_URL"]), "Proxy") || !strings.Contains(mustJSON(vars["DATABASE_URL"]), "Endpoint.Address") {
			t.Errorf("%s: the restore checker's DATABASE_URL %s is not the instance's", stage, mustJSON(vars["DATABASE_URL"]))
		}
	}
}

// TestDatabaseLoginsByIAMOverVerifiedTLS: in deployed stages the proxy
// takes IAM logins only, and every function that reaches it logs in with
// an IAM token (granted rds-db:connect) over verify-full TLS, with no
// password in its URL and no database secret to read. The restore
// checker, which logs in to a restored instance, keeps the password.
func TestDatabaseLoginsByIAMOverVerifiedTLS(t *testing.T) {
	for _, stage := range deployed {
		proxies := resources(t, stage, "AWS::RDS::DBProxy")
		if len(proxies) != 1 {
			t.Fatalf("%s: %d proxies", stage, len(proxies))
		}
		for _, p := range proxies {
			if auth := mustJSON(props(p)["Auth"]); !strings.Contains(auth, `"IAMAuth":"REQUIRED"`) {
				t.Errorf("%s: proxy auth %s", stage, auth)
			}
		}
		for name, fn := range ours(t, stage) {
			vars := props(fn)["Environment"].(map[string]any)["Variables"].(map[string]any)
			url, ok := vars["DATABASE_URL"]
			if !ok {
				continue
			}
			if !strings.Contains(mustJSON(url), "sslmode=verify-full") {
				t.Errorf("%s/%s: DATABASE_URL %s is not verify-full", stage, name, mustJSON(url))
			}
			if name == restoreChecker {
				if vars["DATABASE_AUTH"] != "password" || vars["DATABASE_SECRET_ARN"] == nil {
					t.Errorf("%s/%s: DATABASE_AUTH %v, DATABASE_SECRET_ARN %v", stage, name, vars["DATABASE_AUTH"], vars["DATABASE_SECRET_ARN"])
				}
				continue
			}
			if vars["DATABASE_AUTH"] != "iam" {
				t.Errorf("%s/%s: DATABASE_AUTH %v", stage, name, vars["DATABASE_AUTH"])
			}
			if _, ok := vars["DATABASE_SECRET_ARN"]; ok {
				t.Errorf("%s/%s: reads the database secret it no longer needs", stage, name)
			}
			if !slices.Contains(roleActions(t, stage, fn), "rds-db:connect") {
				t.Errorf("%s/%s: no rds-db:connect", stage, name)
			}
		}
	}
}

// A deployed stage over http, or with an APP_ENV the functions would
// not run as deployed, is refused at synth.
func TestDeployedStagesAreHTTPSOnly(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Stage)
	}{
		{"http APP_URL", func(s *Stage) { s.AppURL = "http://staging.innkeeper.example" }},
		{"http origin", func(s *Stage) { s.CORSOrigins = append(s.CORSOrigins, "http://localhost:5173") }},
		{"local APP_ENV", func(s *Stage) { s.AppEnv = "local" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Stages["staging"]
			st.CORSOrigins = slices.Clone(st.CORSOrigins)
			tt.edit(&st)
			if err := st.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	for _, name := range StageNames() {
		if err := Stages[name].Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestWebSocketRepliesAreRouteResponses: each two-way route of the
// manifest has a route response, so API Gateway sends the ws function's
// answer back to the sender without a call to @connections; the other
// routes have none.
func TestWebSocketRepliesAreRouteResponses(t *testing.T) {
	for _, stage := range deployed {
		responses := map[string]int{} // by the route's logical id
		for _, rr := range resources(t, stage, "AWS::ApiGatewayV2::RouteResponse") {
			p := props(rr)
			ref, _ := p["RouteId"].(map[string]any)["Ref"].(string)
			if p["RouteResponseKey"] != "$default" {
				t.Errorf("%s: route response of %s has key %v, want $default", stage, ref, p["RouteResponseKey"])
			}
			responses[ref]++
		}
		byKey := map[string]string{}
		routes := resources(t, stage, "AWS::ApiGatewayV2::Route")
		for id, r := range routes {
			// The HTTP API may have a $default route of its own.
			if strings.HasPrefix(mustJSON(props(r)["ApiId"]), `{"Ref":"WebSocketApi`) {
				byKey[props(r)["RouteKey"].(string)] = id
			}
		}
		if len(byKey) != len(topology.Innkeeper.WebSocket.Routes) {
			t.Fatalf("%s: WebSocket routes %v", stage, byKey)
		}
		for _, r := range topology.Innkeeper.WebSocket.Routes {
			id := byKey[r.Key]
			selection := props(routes[id])["RouteResponseSelectionExpression"]
			if r.Reply && (responses[id] != 1 || selection != "$default") {
				t.Errorf("%s: two-way route %s has %d route responses, selection %v", stage, r.Key, responses[id], selection)
			}
			if !r.Reply && (responses[id] != 0 || selection != nil) {
				t.Errorf("%s: one-way route %s has %d route responses, selection %v", stage, r.Key, responses[id], selection)
			}
		}
	}
}
