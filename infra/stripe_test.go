package main

import (
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

// stripeCallers are the functions that call Stripe: the api books and
// verifies webhooks; the worker refunds, charges fees, cancels intents.
var stripeCallers = []string{"api", "worker"}

// TestStripeSecretReadByItsCallersOnly: every stage has one Stripe
// secret, named for the operator's put-secret-value, deployed with the
// empty placeholder (no key in any template); the api and the worker
// get its ARN and GetSecretValue on it, and no other function either.
func TestStripeSecretReadByItsCallersOnly(t *testing.T) {
	for _, stage := range StageNames() {
		var id string
		for rid, r := range resources(t, stage, "AWS::SecretsManager::Secret") {
			if props(r)["Name"] == StripeSecretName(stage) {
				if id != "" {
					t.Errorf("%s: two Stripe secrets", stage)
				}
				id = rid
				if got, want := props(r)["SecretString"], mustMarshal(StripePlaceholder); got != want {
					t.Errorf("%s: the Stripe secret is deployed as %v, want the placeholder %s", stage, got, want)
				}
			}
		}
		if id == "" {
			t.Fatalf("%s: no secret named %s", stage, StripeSecretName(stage))
		}
		for _, tpl := range templatesOf(stage) {
			for _, prefix := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"} {
				if strings.Contains(mustJSON(tpl), prefix) {
					t.Errorf("%s: a template holds a Stripe secret (%s…)", stage, prefix)
				}
			}
		}
		for name, fn := range ours(t, stage) {
			vars, _ := props(fn)["Environment"].(map[string]any)["Variables"].(map[string]any)
			want := slices.Contains(stripeCallers, name)
			if named := isRef(vars[stripeSecrets], id); named != want {
				t.Errorf("%s/%s: %s is the Stripe secret: %v, want %v (%v)", stage, name, stripeSecrets, named, want, vars[stripeSecrets])
			}
			if reads := readsSecret(t, stage, fn, id); reads != want {
				t.Errorf("%s/%s: may read the Stripe secret: %v, want %v", stage, name, reads, want)
			}
		}
	}
}

// readsSecret says whether fn's role allows secretsmanager:GetSecretValue
// on the secret of logical id.
func readsSecret(t *testing.T, stage string, fn map[string]any, id string) bool {
	t.Helper()
	for _, s := range roleAllows(t, stage, fn) {
		if !slices.Contains(anyStrings(s["Action"]), "secretsmanager:GetSecretValue") {
			continue
		}
		resources := s["Resource"]
		if list, ok := resources.([]any); ok {
			for _, r := range list {
				if isRef(r, id) {
					return true
				}
			}
		}
		if isRef(resources, id) {
			return true
		}
	}
	return false
}

// TestStripeWebhookIsNoBookingWrite: the webhook route, once in the
// manifest, is public but not throttled as a booking write, while the
// guests' writes still are.
func TestStripeWebhookIsNoBookingWrite(t *testing.T) {
	m := topology.Innkeeper
	m.Routes = append(slices.Clone(m.Routes), topology.Route{Method: "POST", Path: topology.StripeWebhook, Function: "api", Auth: topology.Public})
	var keys []string
	for _, r := range BookingWrites(m) {
		keys = append(keys, r.Key())
	}
	if slices.Contains(keys, "POST "+topology.StripeWebhook) || !slices.Contains(keys, "POST /v1/reservations") {
		t.Fatalf("booking writes %v: want the guests' writes without the webhook", keys)
	}
}

// TestEdgeLetsStripeEventsThrough: the common rule set's 8 KB body
// limit only counts (it labels), and a rule after it blocks a labelled
// request unless its path is exactly the Stripe webhook's, so a Stripe
// event up to 64 KiB reaches the API and every other request keeps the
// limit.
func TestEdgeLetsStripeEventsThrough(t *testing.T) {
	for _, stage := range deployed {
		if !Stages[stage].Edge {
			continue
		}
		for _, acl := range resources(t, stage+"-edge", "AWS::WAFv2::WebACL") {
			var counted bool
			blockAt, labelAt := -1, -1
			for _, r := range props(acl)["Rules"].([]any) {
				rule := r.(map[string]any)
				prio := int(rule["Priority"].(float64))
				st := rule["Statement"].(map[string]any)
				if mg, ok := st["ManagedRuleGroupStatement"].(map[string]any); ok && mg["Name"] == bodySizeGroup {
					labelAt = prio
					for _, o := range asList(mg["RuleActionOverrides"]) {
						o := o.(map[string]any)
						counted = counted || o["Name"] == bodySizeRule && mustJSON(o["ActionToUse"]) == `{"Count":{}}`
					}
				}
				and, ok := st["AndStatement"].(map[string]any)
				if !ok || mustJSON(rule["Action"]) != `{"Block":{}}` {
					continue
				}
				js := mustJSON(and)
				if strings.Contains(js, `"Key":"`+bodySizeLabel+`"`) && strings.Contains(js, `"NotStatement"`) &&
					strings.Contains(js, `"SearchString":"`+topology.StripeWebhook+`"`) && strings.Contains(js, `"PositionalConstraint":"EXACTLY"`) &&
					strings.Contains(js, `"UriPath":{}`) {
					blockAt = prio
				}
			}
			if !counted || blockAt < 0 || blockAt <= labelAt {
				t.Errorf("%s: %s counted %v; body-size block at %d after the label at %d", stage, bodySizeRule, counted, blockAt, labelAt)
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
