package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// EdgeRegion is where a CloudFront web ACL must live, whatever the
// region of the stage it protects.
const EdgeRegion = "us-east-1"

// managedRuleGroups are AWS's rule groups the web ACL runs, in order
// after the rate rule: OWASP-style common attacks, and request patterns
// known to be malicious (Log4Shell, exploitable paths).
var managedRuleGroups = []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}

// The common rule set's rule that blocks request bodies over 8 KB, and
// the label it adds to a request it matches.
const (
	bodySizeGroup = "AWSManagedRulesCommonRuleSet"
	bodySizeRule  = "SizeRestrictions_BODY"
	bodySizeLabel = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
)

// Edge is a stage's us-east-1 stack: the CloudFront web ACL.
type Edge struct {
	Stack  awscdk.Stack
	WebACL awswafv2.CfnWebACL
}

// EdgeProps are what an Edge stack is built from.
type EdgeProps struct {
	awscdk.StackProps
	Stage Stage
}

// NewEdgeStack builds the web ACL the stage's distribution uses: a
// rate rule per client address, then AWS's managed rule groups, then
// the body-size rule; what passes is allowed.
func NewEdgeStack(scope constructs.Construct, id string, props *EdgeProps) *Edge {
	st := props.Stage
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("Innkeeper stage " + st.Name + ": the CloudFront web ACL (must be in " + EdgeRegion + ")")
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("innkeeper"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(st.Name), nil)
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(FunctionName(st.Name, name)),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	rules := []any{&awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("rate-per-address"),
		Priority: jsii.Number(0),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
		Statement: &awswafv2.CfnWebACL_StatementProperty{
			RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
				Limit:            jsii.Number(float64(st.EdgeRateLimit)),
				AggregateKeyType: jsii.String("IP"),
			},
		},
		VisibilityConfig: visibility("waf-rate"),
	}}
	for i, group := range managedRuleGroups {
		mg := &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{VendorName: jsii.String("AWS"), Name: jsii.String(group)}
		if group == bodySizeGroup {
			// The common rule set's 8 KB body limit only labels here;
			// the body-size rule below blocks on the label, but for
			// Stripe's webhook events.
			mg.RuleActionOverrides = &[]any{&awswafv2.CfnWebACL_RuleActionOverrideProperty{
				Name:        jsii.String(bodySizeRule),
				ActionToUse: &awswafv2.CfnWebACL_RuleActionProperty{Count: &awswafv2.CfnWebACL_CountActionProperty{}},
			}}
		}
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(group),
			Priority:         jsii.Number(float64(i + 1)),
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement:        &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: mg},
			VisibilityConfig: visibility("waf-" + group),
		})
	}
	// Every request but a Stripe event keeps the 8 KB body limit. An
	// event is a whole API object (a PaymentIntent with its charges) and
	// can pass 8 KB; Stripe's are at most 64 KiB, which the webhook's
	// handler enforces while it reads the body it verifies.
	rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("body-size"),
		Priority: jsii.Number(float64(len(managedRuleGroups) + 1)),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
		Statement: &awswafv2.CfnWebACL_StatementProperty{AndStatement: &awswafv2.CfnWebACL_AndStatementProperty{
			Statements: &[]any{
				&awswafv2.CfnWebACL_StatementProperty{LabelMatchStatement: &awswafv2.CfnWebACL_LabelMatchStatementProperty{
					Scope: jsii.String("LABEL"), Key: jsii.String(bodySizeLabel),
				}},
				&awswafv2.CfnWebACL_StatementProperty{NotStatement: &awswafv2.CfnWebACL_NotStatementProperty{
					Statement: &awswafv2.CfnWebACL_StatementProperty{ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
						FieldToMatch:         &awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]any{}},
						PositionalConstraint: jsii.String("EXACTLY"),
						SearchString:         jsii.String(topology.StripeWebhook),
						TextTransformations: &[]any{&awswafv2.CfnWebACL_TextTransformationProperty{
							Priority: jsii.Number(0), Type: jsii.String("NONE"),
						}},
					}},
				}},
			},
		}},
		VisibilityConfig: visibility("waf-body-size"),
	})
	acl := awswafv2.NewCfnWebACL(stack, jsii.String("WebACL"), &awswafv2.CfnWebACLProps{
		Name:             jsii.String(FunctionName(st.Name, "edge")),
		Description:      jsii.String("Innkeeper " + st.Name + ": rate per address, AWS common and known-bad-inputs rules, body size"),
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		Rules:            &rules,
		VisibilityConfig: visibility("waf"),
	})
	return &Edge{Stack: stack, WebACL: acl}
}

// addEdge puts CloudFront, with the edge stack's web ACL, in front of
// the HTTP API and the web console: one origin for both, so the console
// calls the API without CORS. The default behaviour is the console's
// bucket; each manifest path is a behaviour to the HTTP API. CloudFront
// adds the origin secret to every request it forwards there, and the
// API refuses any request without it, so the API's own address is no
// way around the firewall. Nothing of the API is cached: every response
// is a guest's or a moment's.
func (s *Innkeeper) addEdge(webACLArn *string) {
	st := s.stage()
	s.OriginSecret = awssecretsmanager.NewSecret(s.Stack, jsii.String("OriginSecret"), &awssecretsmanager.SecretProps{
		Description: jsii.String("The header CloudFront sends the HTTP API (" + httpapi.OriginHeader + "); rotated by docs/runbook.md"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String("{}"),
			GenerateStringKey:    jsii.String("ORIGIN_SECRET"),
			PasswordLength:       jsii.Number(64),
			ExcludePunctuation:   jsii.Bool(true),
		},
		RemovalPolicy: s.removal(),
	})
	opts := &awscdk.SecretsManagerSecretOptions{JsonField: jsii.String("ORIGIN_SECRET")}
	if st.OriginSecretVersion != "" {
		opts.VersionId = jsii.String(st.OriginSecretVersion)
	}
	header := awscdk.SecretValue_SecretsManager(s.OriginSecret.SecretArn(), opts)
	host := fmt.Sprintf("%s.execute-api.%s.%s", *s.HTTPAPI.ApiId(), *awscdk.Aws_REGION(), *awscdk.Aws_URL_SUFFIX())
	logs := s.Stack.Node().FindChild(jsii.String("AccessLogs")).(awss3.IBucket)
	api := &awscloudfront.BehaviorOptions{
		Origin: awscloudfrontorigins.NewHttpOrigin(jsii.String(host), &awscloudfrontorigins.HttpOriginProps{
			ProtocolPolicy: awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
			CustomHeaders:  &map[string]*string{httpapi.OriginHeader: header.UnsafeUnwrap()},
		}),
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
		OriginRequestPolicy:  awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		// CloudFront compresses only what it may cache (the policy
		// above has no encodings), and the API's JSON carries secrets
		// (guest tokens, new API keys) beside what the client sent:
		// compressing those is what BREACH reads. The console's files
		// hold no secret and are compressed.
		Compress: jsii.Bool(false),
	}
	paths := map[string]*awscloudfront.BehaviorOptions{}
	for _, p := range APIPathPatterns(s.props.Manifest) {
		paths[p] = api
	}
	c := &Console{Bucket: s.newConsoleBucket()}
	s.Distribution = awscloudfront.NewDistribution(s.Stack, jsii.String("Edge"), &awscloudfront.DistributionProps{
		Comment:             jsii.String("Innkeeper " + st.Name + ": the web console and the HTTP API behind AWS WAF"),
		DefaultBehavior:     s.consoleBehavior(c),
		AdditionalBehaviors: &paths,
		DefaultRootObject:   jsii.String("index.html"),
		WebAclId:            webACLArn,
		PriceClass:          awscloudfront.PriceClass_PRICE_CLASS_100,
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		EnableLogging:       jsii.Bool(true),
		LogBucket:           logs,
		LogFilePrefix:       jsii.String("cloudfront/"),
	})
	s.deployConsole(c)
	s.Console = c
	awscdk.NewCfnOutput(s.Stack, jsii.String("EdgeUrl"), &awscdk.CfnOutputProps{
		Value:       jsii.String("https://" + *s.Distribution.DistributionDomainName()),
		Description: jsii.String("The web console and the public API, behind AWS WAF: make smoke URL=<this> (the ApiUrl answers 403)"),
	})
}

// EdgeOrigin is the distribution's https origin, which browsers send
// as Origin from the console; "" in a stage without an Edge.
func (s *Innkeeper) EdgeOrigin() string {
	if s.Distribution == nil {
		return ""
	}
	return "https://" + *s.Distribution.DistributionDomainName()
}
