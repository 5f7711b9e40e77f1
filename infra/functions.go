package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/cur"
	"innkeeper/shared/topology"
)

// AliasName is the alias every function is invoked through; CodeDeploy
// moves it from version to version, and a rollback points it back.
const AliasName = "live"

// secretVars are the settings that never appear in a template: they are
// in the app secret, which functions read at start (APP_SECRET_ARN).
// METRICS_TOKEN is added to the secret by the operator (docs/runbook.md);
// until then /metrics answers 404.
var secretVars = []string{"APP_KEY", "APP_KEY_NEXT", "MAIL_FROM", "MAIL_STAFF_TO", "SMTP_ADDR", "METRICS_TOKEN"}

// originVars are in the origin secret (ORIGIN_SECRET_ARN), which only a
// stage with an edge has; elsewhere they stay unset and the API takes
// requests from anywhere.
var originVars = []string{"ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS"}

// stripeVars are in the Stripe secret (STRIPE_SECRET_ARN), which the
// functions that call Stripe read, and no other.
var stripeVars = []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}

// FunctionName is the deployed name of a manifest function in a stage.
func FunctionName(stage, fn string) string { return "innkeeper-" + stage + "-" + fn }

// addFunctions makes every function of the manifest: provided.al2023
// on its architecture, the binary from dist/<name>, memory and timeout
// from the manifest, its own log group with retention, active tracing.
func (s *Innkeeper) addFunctions() {
	st := s.stage()
	for _, f := range s.props.Manifest.Functions {
		name := FunctionName(st.Name, f.Name)
		id := exportName(f.Name)
		logs := awslogs.NewLogGroup(s.Stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/lambda/" + name),
			Retention:     retention(st.LogRetentionDays),
			RemovalPolicy: s.removal(),
		})
		props := &awslambda.FunctionProps{
			FunctionName: jsii.String(name),
			Description:  jsii.String(f.Description),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: architecture(f.Arch),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(s.props.CodeDir, f.Name)), nil),
			MemorySize:   jsii.Number(float64(f.MemoryMB)),
			Timeout:      awscdk.Duration_Millis(jsii.Number(float64(f.Timeout.Milliseconds()))),
			LogGroup:     logs,
			Tracing:      awslambda.Tracing_ACTIVE,
			CurrentVersionOptions: &awslambda.VersionOptions{
				// Old versions stay, so the alias can be pointed back.
				RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
				Description:   jsii.String(s.props.Version),
			},
		}
		if n := st.reserved(f); n > 0 {
			props.ReservedConcurrentExecutions = jsii.Number(float64(n))
		}
		if s.Network != nil {
			props.Vpc = s.Network.VPC
			props.VpcSubnets = s.subnets()
			props.SecurityGroups = &[]awsec2.ISecurityGroup{s.Network.Functions}
			if f.Name == restoreChecker {
				props.SecurityGroups = &[]awsec2.ISecurityGroup{s.Network.Functions, s.Network.RestoreCheck}
			}
		}
		fn := awslambda.NewFunction(s.Stack, jsii.String(id), props)
		s.Functions[f.Name] = fn
		s.Aliases[f.Name] = awslambda.NewAlias(s.Stack, jsii.String(id+"Live"), &awslambda.AliasProps{
			AliasName: jsii.String(AliasName),
			Version:   fn.CurrentVersion(),
		})
		s.env[f.Name] = map[string]*string{}
	}
}

// finishEnvironments gives every function exactly the variables the
// manifest says it reads, valued for the stage, with secrets replaced
// by the ARN of the secret that holds them, and grants each function
// what those variables let it reach. A variable the stack cannot value
// stops the synth: the manifest and the stack cannot drift.
func (s *Innkeeper) finishEnvironments() {
	values := s.settings()
	for _, f := range s.props.Manifest.Functions {
		fn := s.Functions[f.Name]
		env := s.env[f.Name]
		for _, v := range f.Env {
			switch {
			case slices.Contains(secretVars, v):
				env[appSecrets] = s.Data.AppSecret.SecretArn()
				s.Data.AppSecret.GrantRead(fn, nil)
				continue
			case slices.Contains(originVars, v):
				if s.OriginSecret != nil {
					env[originSecrets] = s.OriginSecret.SecretArn()
					s.OriginSecret.GrantRead(fn, nil)
				}
				continue
			case slices.Contains(stripeVars, v) || v == stripeSecrets:
				env[stripeSecrets] = s.Data.StripeSecret.SecretArn()
				s.Data.StripeSecret.GrantRead(fn, nil)
				continue
			case v == "DATABASE_URL" && s.Data.DBSecret != nil && f.Name == restoreChecker:
				// The restore checker logs in to a restored instance,
				// with the password of the snapshot's secret.
				env["DATABASE_SECRET_ARN"] = s.Data.DBSecret.SecretArn()
				s.Data.DBSecret.GrantRead(fn, nil)
			case v == "DATABASE_URL" && s.Data.Proxy != nil:
				// The others log in to the proxy with IAM tokens
				// (DATABASE_AUTH=iam): no password to read, none that a
				// rotation can make stale.
				s.Data.Proxy.GrantConnect(fn, jsii.String(dbUser))
			case v == "REDIS_URL" && s.Data.RedisSecret != nil:
				env["REDIS_SECRET_ARN"] = s.Data.RedisSecret.SecretArn()
				s.Data.RedisSecret.GrantRead(fn, nil)
			}
			val, ok := values[v]
			if v == "DATABASE_URL" && f.Name == restoreChecker && s.Data.DB != nil {
				// The live instance, not the proxy: restore tests'
				// instances share its domain (shared/restorecheck).
				val = jsii.String(fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=verify-full",
					dbUser, *s.Data.DB.DbInstanceEndpointAddress(), dbPort, dbName))
			}
			if v == "DATABASE_AUTH" && f.Name == restoreChecker {
				val = jsii.String("password")
			}
			if v == "DB_QUERY_TIMEOUT" && background(f) {
				// Jobs and ingestion run queries that may rightly take
				// seconds; the server's statement_timeout bounds them,
				// this bounds a silent database.
				val = jsii.String("6s")
			}
			if !ok {
				panic(fmt.Sprintf("infra: function %s reads %s, which stage %s does not set", f.Name, v, s.stage().Name))
			}
			if val != nil {
				env[v] = val
			}
		}
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fn.AddEnvironment(jsii.String(k), env[k], nil)
		}
		s.grant(f, fn)
	}
}

// settings values every variable for the stage; nil means "leave
// unset" (the code's default, or a feature the stage lacks).
func (s *Innkeeper) settings() map[string]*string {
	st := s.stage()
	events, dlq := s.Queues["events"], s.DLQs["events"]
	v := map[string]*string{
		"APP_ENV":              jsii.String(st.AppEnv),
		"APP_VERSION":          jsii.String(s.props.Version),
		"LOG_LEVEL":            jsii.String("info"),
		"DB_MAX_CONNS":         jsii.String("2"),
		"DB_CONNECT_TIMEOUT":   jsii.String("2s"),
		"DB_STATEMENT_TIMEOUT": jsii.String("5s"),
		"DB_QUERY_TIMEOUT":     jsii.String("1500ms"),
		"DATABASE_AUTH":        jsii.String("iam"),
		"REDIS_KEY_PREFIX":     jsii.String("ink:"),
		"REDIS_TIMEOUT":        jsii.String("300ms"),
		"RATE_LIMITS":          jsii.String("on"),
		"CORS_ALLOWED_ORIGINS": jsii.String(strings.Join(s.browserOrigins(), ",")),
		"REQUEST_TIMEOUT":      jsii.String("10s"),
		"APP_URL":              jsii.String(st.AppURL),
		"EVENTS_QUEUE_URL":     events.QueueUrl(),
		"EVENTS_DLQ_URL":       dlq.QueueUrl(),
		"AWS_ENDPOINT_URL_SQS": nil,
		"MAIL_DRIVER":          jsii.String("ses"),
		// Cost ingestion prices in the stack's own region; negotiated
		// discounts are set on the function by the operator.
		"COST_REGION":          awscdk.Aws_REGION(),
		"COST_PRICE_OVERRIDES": nil,
		// The scheduler accrues this stage's fixed costs (its inventory
		// in shared/pricing) into the ledger; the stage is also its
		// cost-allocation tag value, by which reconcile-bill finds its
		// lines in the account's CUR 2.0 export (none: reconcile-bill has
		// nothing to read).
		"COST_STAGE": jsii.String(st.Name),
		"CUR_S3_URI": nil,
		"CUR_DIR":    nil,
		// The WebSocket caps per client address and per connection.
		"WS_MAX_CONNECTIONS_PER_ADDRESS":      jsii.String("20"),
		"WS_MAX_SUBSCRIPTIONS_PER_CONNECTION": jsii.String("50"),
		// Stripe's own API, through the NAT gateways: an emulator or a
		// mock is for the devstack and tests only.
		"STRIPE_API_BASE": nil,
	}
	if st.CURExportURI != "" {
		v["CUR_S3_URI"] = jsii.String(st.CURExportURI)
	}
	if st.LocalStack {
		v["DATABASE_URL"] = jsii.String(st.LocalDatabaseURL)
		v["REDIS_URL"] = jsii.String(st.LocalRedisURL)
		v["MAIL_DRIVER"] = jsii.String("smtp")
		v["DATABASE_AUTH"] = jsii.String("password")
		v["WS_MANAGEMENT_ENDPOINT"] = nil
		return v
	}
	// No password: each connection signs an IAM token (DATABASE_AUTH),
	// sent only to a server whose certificate chains to the RDS CAs.
	v["DATABASE_URL"] = jsii.String(fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=verify-full",
		dbUser, *s.Data.Proxy.Endpoint(), dbPort, dbName))
	v["REDIS_URL"] = jsii.String(fmt.Sprintf("rediss://%s:%s/0",
		*s.Data.Redis.AttrPrimaryEndPointAddress(), *s.Data.Redis.AttrPrimaryEndPointPort()))
	// The @connections API is public; without egress the functions
	// cannot reach it, and an unset endpoint skips pushes (worker) and
	// remote closes (ws) instead of waiting for a connection that never
	// comes. The ws function answers its clients through its routes'
	// responses, so it needs no egress for that.
	v["WS_MANAGEMENT_ENDPOINT"] = nil
	if st.NatGateways > 0 {
		v["WS_MANAGEMENT_ENDPOINT"] = s.WSStage.CallbackUrl()
	}
	return v
}

// browserOrigins are the origins browsers may call the APIs from: the
// stage's, and the distribution's own, where the console is served (the
// WebSocket API is another origin, and its $connect checks Origin).
// The functions read the distribution's name; nothing in front of them
// reads the functions', so there is no cycle.
func (s *Innkeeper) browserOrigins() []string {
	origins := slices.Clone(s.stage().CORSOrigins)
	if o := s.EdgeOrigin(); o != "" {
		origins = append(origins, o)
	}
	return origins
}

// grant gives a function what its variables and triggers need, and
// nothing else: the Grant methods scope every statement to one resource.
func (s *Innkeeper) grant(f topology.Function, fn awslambda.Function) {
	reads := func(v string) bool { return slices.Contains(f.Env, v) }
	events, dlq := s.Queues["events"], s.DLQs["events"]
	if reads("EVENTS_QUEUE_URL") {
		events.GrantSendMessages(fn)
		events.Grant(fn, jsii.String("sqs:GetQueueAttributes"))
	}
	if reads("EVENTS_DLQ_URL") {
		dlq.Grant(fn, jsii.String("sqs:GetQueueAttributes"))
		if len(s.props.Manifest.RoutesOf(f.Name)) > 0 {
			// The staff redrive endpoint moves dead letters back: SQS's
			// move task runs as the caller, reading and deleting from the
			// DLQ and sending to the queue (granted above).
			dlq.GrantConsumeMessages(fn)
			dlq.Grant(fn, jsii.String("sqs:StartMessageMoveTask"))
		}
	}
	if reads("MAIL_DRIVER") && !s.stage().LocalStack {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("SendMailFromTheStageDomain"),
			Actions: &[]*string{jsii.String("ses:SendEmail"), jsii.String("ses:SendRawEmail")},
			Resources: &[]*string{awscdk.Arn_Format(&awscdk.ArnComponents{
				Service: jsii.String("ses"), Resource: jsii.String("identity"),
				ResourceName: jsii.String(mailDomain(s.stage().MailFrom)),
			}, s.Stack)},
		}))
	}
	if reads("CUR_S3_URI") && s.stage().CURExportURI != "" {
		s.grantBillExport(fn)
	}
	if reads("WS_MANAGEMENT_ENDPOINT") && s.WSStage != nil && s.stage().NatGateways > 0 {
		s.WSStage.GrantManagementApiAccess(fn)
	}
}

// grantBillExport lets fn list and read the CUR 2.0 export's prefix, and
// nothing else of its bucket (cur.Actions names the calls).
func (s *Innkeeper) grantBillExport(fn awslambda.Function) {
	bucket, prefix, _ := cur.ParseS3URI(s.stage().CURExportURI) // checked by withContext
	bucketARN := "arn:" + *awscdk.Aws_PARTITION() + ":s3:::" + bucket
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ListTheBillExport"),
		Actions:   &[]*string{jsii.String("s3:ListBucket")},
		Resources: &[]*string{jsii.String(bucketARN)},
		Conditions: &map[string]any{"StringLike": map[string]any{
			"s3:prefix": []string{prefix + "/*"},
		}},
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadTheBillExport"),
		Actions:   &[]*string{jsii.String("s3:GetObject")},
		Resources: &[]*string{jsii.String(bucketARN + "/" + prefix + "/*")},
	}))
}

// background functions run jobs, not requests: their database calls
// get a longer client-side bound.
func background(f topology.Function) bool {
	return slices.Contains([]string{"scheduler", "worker", "costingest", restoreChecker, "migrate"}, f.Name)
}

// mailDomain is the domain of a From address, "Name <a@b.example>".
func mailDomain(from string) string {
	at := strings.LastIndex(from, "@")
	if at < 0 {
		panic("infra: mail sender without a domain: " + from)
	}
	return strings.TrimRight(from[at+1:], "> ")
}

func architecture(arch string) awslambda.Architecture {
	if arch == "x86_64" {
		return awslambda.Architecture_X86_64()
	}
	return awslambda.Architecture_ARM_64()
}

// exportName is a construct id for a manifest name: "expire-holds" →
// "ExpireHolds".
func exportName(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '$' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// retention maps days to CloudWatch's fixed retention choices, the
// smallest that keeps at least that long.
func retention(days int) awslogs.RetentionDays {
	choices := []struct {
		days int
		r    awslogs.RetentionDays
	}{
		{1, awslogs.RetentionDays_ONE_DAY}, {3, awslogs.RetentionDays_THREE_DAYS}, {5, awslogs.RetentionDays_FIVE_DAYS},
		{7, awslogs.RetentionDays_ONE_WEEK}, {14, awslogs.RetentionDays_TWO_WEEKS}, {30, awslogs.RetentionDays_ONE_MONTH},
		{60, awslogs.RetentionDays_TWO_MONTHS}, {90, awslogs.RetentionDays_THREE_MONTHS}, {180, awslogs.RetentionDays_SIX_MONTHS},
		{365, awslogs.RetentionDays_ONE_YEAR},
	}
	for _, c := range choices {
		if days <= c.days {
			return c.r
		}
	}
	return awslogs.RetentionDays_TWO_YEARS
}
