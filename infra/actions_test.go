package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/cur"
	"innkeeper/shared/dbauth"
	"innkeeper/shared/mail"
	"innkeeper/shared/realtime"
	"innkeeper/shared/restorecheck"
	"innkeeper/shared/secrets"
	"innkeeper/shared/sqsjson"
	"innkeeper/shared/topology"
)

// client is a package that calls AWS, with the IAM actions of each of
// its calls, listed beside the client.
type client struct {
	pkg     string
	actions map[string][]string
}

var (
	sqsClient     = client{"innkeeper/shared/sqsjson", sqsjson.Actions}
	secretsClient = client{"innkeeper/shared/secrets", secrets.Actions}
	sesClient     = client{"innkeeper/shared/mail", mail.SESActions}
	pushClient    = client{"innkeeper/shared/realtime", realtime.Actions}
	backupClient  = client{"innkeeper/shared/restorecheck", restorecheck.Actions}
	dbauthClient  = client{"innkeeper/shared/dbauth", dbauth.Actions}
	curClient     = client{"innkeeper/shared/cur", cur.Actions}
	clients       = []client{sqsClient, secretsClient, sesClient, pushClient, backupClient, dbauthClient, curClient}
)

// call is one AWS call a function makes. when, if set, is the variable
// without which the function skips the call (pushes need the
// @connections endpoint).
type call struct {
	client client
	name   string
	when   string
}

// calls are the AWS calls each function makes. A function that links a
// client package must be listed with that package's calls, and one that
// does not must not (TestEveryLinkedClientHasItsCallsListed), so a new
// call site cannot go unnoticed.
var calls = map[string][]call{
	"api": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},
		{sqsClient, "SendMessageBatch", ""},     // the outbox relay after each command
		{sqsClient, "GetQueueAttributes", ""},   // /health's queue depths
		{sqsClient, "StartMessageMoveTask", ""}, // POST /v1/admin/queues/events/redrive
	},
	"scheduler": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},
		{sqsClient, "SendMessageBatch", ""},        // outbox-sweep
		{curClient, "ListObjectsV2", "CUR_S3_URI"}, // reconcile-bill
		{curClient, "GetObject", "CUR_S3_URI"},
	},
	"metrics": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},
		{sqsClient, "GetQueueAttributes", ""}, // queue and dead-letter depths
	},
	"worker": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},
		{sesClient, "SendEmail", "MAIL_DRIVER"},
		{pushClient, "PostToConnection", "WS_MANAGEMENT_ENDPOINT"},
		{pushClient, "DeleteConnection", "WS_MANAGEMENT_ENDPOINT"}, // a revoked key's connections
	},
	"ws": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},
		{pushClient, "PostToConnection", "WS_MANAGEMENT_ENDPOINT"},
		{pushClient, "DeleteConnection", "WS_MANAGEMENT_ENDPOINT"}, // a revoked key's connections
	},
	"costingest": {{secretsClient, "GetSecretValue", ""}, {dbauthClient, "BuildAuthToken", "DATABASE_AUTH"}},
	"migrate":    {{secretsClient, "GetSecretValue", ""}, {dbauthClient, "BuildAuthToken", "DATABASE_AUTH"}},
	"restorecheck": {
		{secretsClient, "GetSecretValue", ""},
		{dbauthClient, "BuildAuthToken", "DATABASE_AUTH"},                   // password here: skipped
		{backupClient, "PutRestoreValidationResult", "DATABASE_SECRET_ARN"}, // deployed stages only
	},
}

func TestEveryLinkedClientHasItsCallsListed(t *testing.T) {
	for _, f := range topology.Innkeeper.Functions {
		out, err := exec.Command("go", "list", "-deps", "innkeeper/"+f.Handler()).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", f.Handler(), err)
		}
		linked := strings.Fields(string(out))
		listed, ok := calls[f.Name]
		if !ok {
			t.Errorf("function %s: its AWS calls are not listed in calls", f.Name)
		}
		for _, c := range clients {
			links := slices.Contains(linked, c.pkg)
			has := slices.ContainsFunc(listed, func(cl call) bool { return cl.client.pkg == c.pkg })
			if links != has {
				t.Errorf("function %s: links %s %v, calls of it listed %v", f.Name, c.pkg, links, has)
			}
		}
		for _, cl := range listed {
			if _, ok := cl.client.actions[cl.name]; !ok {
				t.Errorf("function %s: %s has no call %s", f.Name, cl.client.pkg, cl.name)
			}
		}
	}
}

// roleActions are the actions the policies of a function's role allow.
func roleActions(t *testing.T, stage string, fn map[string]any) []string {
	t.Helper()
	var out []string
	for _, s := range roleAllows(t, stage, fn) {
		out = append(out, anyStrings(s["Action"])...)
	}
	return out
}

// roleAllows are the Allow statements of the policies of fn's role.
func roleAllows(t *testing.T, stage string, fn map[string]any) []map[string]any {
	t.Helper()
	role := ""
	if att, ok := props(fn)["Role"].(map[string]any)["Fn::GetAtt"].([]any); ok {
		role, _ = att[0].(string)
	}
	if role == "" {
		t.Fatalf("%s: function without a role of the stack: %s", stage, mustJSON(props(fn)["Role"]))
	}
	var out []map[string]any
	for _, pol := range resources(t, stage, "AWS::IAM::Policy") {
		p := props(pol)
		if !strings.Contains(mustJSON(p["Roles"]), `"Ref":"`+role+`"`) {
			continue
		}
		for _, st := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if s := st.(map[string]any); s["Effect"] == "Allow" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestEveryCallIsGranted: each function's role allows every action of
// every AWS call it makes, in every stage, so what works against the
// devstack's emulators cannot fail in AWS for want of a permission.
func TestEveryCallIsGranted(t *testing.T) {
	for _, stage := range StageNames() {
		fns := ours(t, stage)
		for name, cs := range calls {
			fn, ok := fns[name]
			if !ok {
				t.Errorf("%s: no function %s", stage, name)
				continue
			}
			vars, _ := props(fn)["Environment"].(map[string]any)["Variables"].(map[string]any)
			granted := roleActions(t, stage, fn)
			for _, c := range cs {
				if c.client.pkg == secretsClient.pkg && !strings.Contains(mustJSON(vars), "SECRET_ARN") {
					continue // reads no secret in this stage
				}
				if c.client.pkg == dbauthClient.pkg && vars["DATABASE_AUTH"] != "iam" {
					continue // logs in with a password in this stage
				}
				if c.when != "" && (vars[c.when] == nil || stage == "localstack" && c.when == "MAIL_DRIVER" && vars[c.when] != "ses") {
					continue
				}
				for _, a := range c.client.actions[c.name] {
					if !slices.Contains(granted, a) {
						t.Errorf("%s/%s: calls %s (%s) but its role lacks %s", stage, name, c.name, c.client.pkg, a)
					}
				}
			}
		}
	}
}

// stripeClient is Stripe's Go client: not AWS, so no IAM action, but a
// function that links it needs the Stripe secret and egress to Stripe.
const stripeClient = "github.com/stripe/stripe-go/v82"

// TestStripeCallersHaveTheSecret: a function that links Stripe's client
// is one the stack gives the Stripe secret (stripeCallers, whose roles
// alone may read it: TestStripeSecretReadByItsCallersOnly), so a new
// call site elsewhere (the scheduler charging a fee itself, say) fails
// here rather than in the cloud for want of the key.
func TestStripeCallersHaveTheSecret(t *testing.T) {
	for _, f := range topology.Innkeeper.Functions {
		out, err := exec.Command("go", "list", "-deps", "innkeeper/"+f.Handler()).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", f.Handler(), err)
		}
		if slices.Contains(strings.Fields(string(out)), stripeClient) && !slices.Contains(stripeCallers, f.Name) {
			t.Errorf("function %s links %s but is not given the Stripe secret (stripeCallers, the manifest's Env)", f.Name, stripeClient)
		}
	}
}
