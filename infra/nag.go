package main

import (
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppression is one accepted cdk-nag finding and why it is accepted.
type suppression struct {
	rule   string
	reason string
	// appliesTo narrows the rule to findings matching these regexes
	// (IAM4's policy names, IAM5's resources); empty: the whole rule.
	appliesTo []string
	// stages limits it to some stages; empty: every stage.
	stages []string
	// construct, when set, limits it to the stack's children whose id
	// starts with it (and their children): a finding inherent to one
	// construct the CDK makes, not to be accepted anywhere else.
	construct string
}

// bucketDeploymentHandler is the id prefix of the CDK's singleton
// function behind every BucketDeployment (the console's upload).
const bucketDeploymentHandler = "Custom::CDKBucketDeployment"

// suppressions are the AwsSolutions findings this design accepts. Each
// carries its reason; anything not listed here fails the infra tests.
var suppressions = []suppression{
	{rule: "AwsSolutions-IAM4", appliesTo: []string{
		`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole$`,
		`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole$`,
		`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited$`,
		`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores$`,
		`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup$`,
	}, reason: "AWS's minimal service-role policies: log writing, the VPC network interfaces a function in a VPC needs, " +
		"CodeDeploy's Lambda-limited role, and AWS Backup's roles for the daily backup and the weekly restore test. No FullAccess policy is attached anywhere (tested)."},
	{rule: "AwsSolutions-IAM5", appliesTo: []string{`^Resource::\*$`},
		reason: "Only X-Ray's PutTraceSegments/PutTelemetryRecords, the CDK log-retention function's retention calls and AWS Backup's PutRestoreValidationResult, " +
			"which take no resource-level permissions; the infra tests fail on any other statement with Resource *."},
	{rule: "AwsSolutions-IAM5", appliesTo: []string{`^Resource::arn:<AWS::Partition>:execute-api:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-[0-9]):<AWS::AccountId>:<WebSocketApi[0-9A-F]+>/[a-z]+/\*/@connections/\*$`},
		reason: "Pushing to WebSocket clients: the connection ids are only known at run time; the grant is limited to this API's stage and its @connections."},
	{rule: "AwsSolutions-IAM5", appliesTo: []string{`^Resource::arn:<AWS::Partition>:s3:::[a-z0-9][a-z0-9.-]+/.+/\*$`},
		reason: "Reading the bill: the CUR 2.0 export writes new data files under its prefix every day, named only at delivery; " +
			"the scheduler may read (s3:GetObject) that prefix of the export's bucket and list nothing else of it."},
	{rule: "AwsSolutions-APIG4",
		reason: "The API authorises in the function: public booking routes are public by design, staff and finance routes " +
			"require a hashed API key with a role (shared/auth), guest routes a reservation token or signed link, and the " +
			"WebSocket $connect checks the same credentials; an API Gateway authorizer would add a second invocation per request."},
	{rule: "AwsSolutions-SMG4",
		reason: "APP_KEY and the origin secret rotate by the documented two-value procedures (APP_KEY_NEXT, ORIGIN_SECRET_PREVIOUS; docs/runbook.md), and the Redis AUTH token " +
			"with ElastiCache's ROTATE strategy, both operator-run; the database secret has automatic 30-day rotation."},
	{rule: "AwsSolutions-AEC5",
		reason: "The cache admits only the functions' security group in private subnets; a non-default port adds nothing to that."},
	{rule: "AwsSolutions-RDS11",
		reason: "The database admits only its proxy and its secret's rotation function, in private subnets; a non-default port adds nothing to that."},
	{rule: "AwsSolutions-CFR4", stages: []string{"prod"},
		reason: "The API's distribution answers at its cloudfront.net name with CloudFront's default certificate, whose " +
			"policy CloudFront fixes at TLSv1; the public domain's own us-east-1 certificate (TLSv1.2_2021) replaces it when the DNS moves."},
	{rule: "AwsSolutions-CFR1", stages: []string{"prod"},
		reason: "Hotels take guests from every country: no geographic restriction; abuse is met by the web ACL's rate rule per address and AWS's rule groups."},
	{rule: "AwsSolutions-L1", construct: bucketDeploymentHandler,
		reason: "The console upload is the CDK's BucketDeployment handler, a Python function whose runtime the CDK release pins and " +
			"moves (aws-cdk-lib is pinned in go.mod and upgraded with it); it runs only during a deployment, never on a request."},
	{rule: "AwsSolutions-IAM5", construct: bucketDeploymentHandler, appliesTo: []string{
		`^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$`,
		`^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[a-z0-9-]+/\*$`,
		`^Resource::<Console[0-9A-F]{8}\.Arn>/\*$`,
	}, reason: "The CDK's BucketDeployment grants its handler read of the CDK asset bucket (the zipped console it unpacks) and " +
		"read, write and delete of the console bucket's objects: the object names are the build's, known only at deployment."},
	{rule: "AwsSolutions-AEC4", stages: []string{"staging"},
		reason: "Staging runs one cache node to keep it cheap; production has a replica in a second zone with automatic failover."},
	{rule: "AwsSolutions-RDS3", stages: []string{"staging"},
		reason: "Staging runs a single-AZ database to keep it cheap; production is Multi-AZ."},
	{rule: "AwsSolutions-RDS10", stages: []string{"staging"},
		reason: "Staging is disposable and rebuilt from migrations; production has deletion protection and a snapshot on delete."},
}

// suppressNag records the accepted findings on the stack.
func suppressNag(s *Innkeeper) {
	var list []*cdknag.NagPackSuppression
	for _, sp := range suppressions {
		if len(sp.stages) > 0 && !slices.Contains(sp.stages, s.stage().Name) {
			continue
		}
		ns := &cdknag.NagPackSuppression{Id: jsii.String(sp.rule), Reason: jsii.String(sp.reason)}
		if len(sp.appliesTo) > 0 {
			var at []interface{}
			for _, re := range sp.appliesTo {
				at = append(at, &cdknag.RegexAppliesTo{Regex: jsii.String("/" + re + "/g")})
			}
			ns.AppliesTo = &at
		}
		if sp.construct != "" {
			for _, c := range *s.Stack.Node().Children() {
				if strings.HasPrefix(*c.Node().Id(), sp.construct) {
					cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{ns}, jsii.Bool(true))
				}
			}
			continue
		}
		list = append(list, ns)
	}
	if len(list) > 0 {
		cdknag.NagSuppressions_AddStackSuppressions(s.Stack, &list, jsii.Bool(true))
	}
}
