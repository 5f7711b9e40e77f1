package main

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/topology"
)

// accessLogFormat is the JSON access log line of both APIs: enough to
// follow one request from the edge to the function's own log line.
var accessLogFormat = map[string]string{
	"requestId":          "$context.requestId",
	"ip":                 "$context.identity.sourceIp",
	"requestTime":        "$context.requestTime",
	"routeKey":           "$context.routeKey",
	"status":             "$context.status",
	"protocol":           "$context.protocol",
	"responseLength":     "$context.responseLength",
	"latencyMs":          "$context.responseLatency",
	"integrationLatency": "$context.integrationLatency",
	"integrationError":   "$context.integrationErrorMessage",
	"userAgent":          "$context.identity.userAgent",
}

// corsHeaders are the request headers browsers may send.
var corsHeaders = []string{"Content-Type", "Authorization", "Idempotency-Key", "X-Request-Id"}

// addHTTPAPI is the public HTTP API: one route per manifest route, each
// integrated with its function's live alias (payload 2.0), CORS with the
// stage's origins, throttling and JSON access logs on the default stage,
// and the custom domain when the stage has one.
func (s *Innkeeper) addHTTPAPI() {
	st := s.stage()
	m := s.props.Manifest
	integrations := map[string]awsapigatewayv2integrations.HttpLambdaIntegration{}
	integration := func(fn string) awsapigatewayv2integrations.HttpLambdaIntegration {
		if i, ok := integrations[fn]; ok {
			return i
		}
		i := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(exportName(fn)+"Integration"), s.Aliases[fn],
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
				// One invoke permission for the API, not one per route:
				// a function's resource policy is limited to 20 KB.
				ScopePermissionToRoute: jsii.Bool(false),
			})
		integrations[fn] = i
		return i
	}
	props := &awsapigatewayv2.HttpApiProps{
		ApiName:     jsii.String(FunctionName(st.Name, "http")),
		Description: jsii.String("Innkeeper public and staff API"),
		CorsPreflight: &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins: jsii.Strings(st.CORSOrigins...),
			AllowMethods: &[]awsapigatewayv2.CorsHttpMethod{
				awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST,
				awsapigatewayv2.CorsHttpMethod_PUT, awsapigatewayv2.CorsHttpMethod_PATCH, awsapigatewayv2.CorsHttpMethod_DELETE,
			},
			AllowHeaders:  jsii.Strings(corsHeaders...),
			ExposeHeaders: jsii.Strings("Idempotent-Replayed", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id"),
			MaxAge:        awscdk.Duration_Hours(jsii.Number(1)),
		},
		CreateDefaultStage: jsii.Bool(false),
	}
	for _, r := range m.Routes {
		if r.Path == topology.DefaultRoute {
			props.DefaultIntegration = integration(r.Function)
		}
	}
	api := awsapigatewayv2.NewHttpApi(s.Stack, jsii.String("HttpApi"), props)
	var routes []awsapigatewayv2.HttpRoute
	for _, r := range m.Routes {
		if r.Path == topology.DefaultRoute {
			continue
		}
		routes = append(routes, *api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(r.Path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
			Integration: integration(r.Function),
		})...)
	}
	stageProps := &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit: jsii.Number(st.ThrottleRate), BurstLimit: jsii.Number(st.ThrottleBurst),
		},
		DetailedMetricsEnabled: jsii.Bool(true),
	}
	if st.Domain != "" {
		domain := awsapigatewayv2.NewDomainName(s.Stack, jsii.String("Domain"), &awsapigatewayv2.DomainNameProps{
			DomainName:     jsii.String(st.Domain),
			Certificate:    awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("Certificate"), jsii.String(st.CertificateARN)),
			SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
		})
		stageProps.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: domain}
		awscdk.NewCfnOutput(s.Stack, jsii.String("DomainTarget"), &awscdk.CfnOutputProps{
			Value:       domain.RegionalDomainName(),
			Description: jsii.String("Point the custom domain's DNS (CNAME or alias) here"),
		})
	}
	stage := awsapigatewayv2.NewHttpStage(s.Stack, jsii.String("HttpStage"), stageProps)
	cfnStage := stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	s.accessLogs(cfnStage, "HttpAccessLogs")
	// Each public write route has a throttle of its own, below the
	// stage's: route settings name routes, which must exist first.
	writes := map[string]any{}
	for _, r := range BookingWrites(m) {
		writes[r.Key()] = map[string]any{
			"ThrottlingRateLimit": st.BookingWriteRate, "ThrottlingBurstLimit": st.BookingWriteBurst,
		}
	}
	cfnStage.AddPropertyOverride(jsii.String("RouteSettings"), writes)
	for _, r := range routes {
		stage.Node().AddDependency(r)
	}
	s.HTTPAPI = api
	awscdk.NewCfnOutput(s.Stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Value: api.ApiEndpoint(), Description: jsii.String("The HTTP API: make smoke URL=<this>"),
	})
}

// BookingWrites are the routes throttled as booking writes: the public
// routes that change something (holds, bookings, confirmations,
// cancellations), where a flood costs the hotel inventory and mail.
// Webhooks are not: Stripe's deliveries come in bursts (a night audit's
// no-show fees, say), a throttled one is retried for days, and each is
// signed, verified before anything is read.
func BookingWrites(m topology.Manifest) []topology.Route {
	var out []topology.Route
	for _, r := range m.Routes {
		if r.Auth == topology.Public && r.Path != topology.DefaultRoute && r.Method != "GET" && r.Method != "HEAD" && !r.Webhook() {
			out = append(out, r)
		}
	}
	return out
}

// addWebSocketAPI is the live-updates API: the manifest's routes, each
// on its function's alias, one stage with throttling and access logs.
func (s *Innkeeper) addWebSocketAPI() {
	st := s.stage()
	ws := s.props.Manifest.WebSocket
	integrations := map[string]awsapigatewayv2integrations.WebSocketLambdaIntegration{}
	integration := func(fn string) awsapigatewayv2integrations.WebSocketLambdaIntegration {
		if i, ok := integrations[fn]; ok {
			return i
		}
		i := awsapigatewayv2integrations.NewWebSocketLambdaIntegration(jsii.String(exportName(fn)+"WSIntegration"), s.Aliases[fn], nil)
		integrations[fn] = i
		return i
	}
	props := &awsapigatewayv2.WebSocketApiProps{
		ApiName:                  jsii.String(FunctionName(st.Name, "ws")),
		Description:              jsii.String("Innkeeper live updates"),
		RouteSelectionExpression: jsii.String(ws.RouteSelection),
	}
	// A two-way route has a route response: API Gateway sends the
	// function's answer back to the sender, so replies need no
	// @connections call, nor egress from the VPC.
	options := func(r topology.WebSocketRoute) *awsapigatewayv2.WebSocketRouteOptions {
		return &awsapigatewayv2.WebSocketRouteOptions{Integration: integration(r.Function), ReturnResponse: jsii.Bool(r.Reply)}
	}
	var custom []topology.WebSocketRoute
	for _, r := range ws.Routes {
		opts := options(r)
		switch r.Key {
		case "$connect":
			props.ConnectRouteOptions = opts
		case "$disconnect":
			props.DisconnectRouteOptions = opts
		case "$default":
			props.DefaultRouteOptions = opts
		default:
			custom = append(custom, r)
		}
	}
	api := awsapigatewayv2.NewWebSocketApi(s.Stack, jsii.String("WebSocketApi"), props)
	for _, r := range custom {
		api.AddRoute(jsii.String(r.Key), options(r))
	}
	stage := awsapigatewayv2.NewWebSocketStage(s.Stack, jsii.String("WebSocketStage"), &awsapigatewayv2.WebSocketStageProps{
		WebSocketApi: api,
		StageName:    jsii.String(ws.Stage),
		AutoDeploy:   jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit: jsii.Number(st.WSThrottleRate), BurstLimit: jsii.Number(st.WSBurst),
		},
	})
	s.accessLogs(stage.Node().DefaultChild().(awsapigatewayv2.CfnStage), "WebSocketAccessLogs")
	s.WSAPI, s.WSStage = api, stage
	awscdk.NewCfnOutput(s.Stack, jsii.String("WebSocketUrl"), &awscdk.CfnOutputProps{
		Value: stage.Url(), Description: jsii.String("The WebSocket API: make smoke WS_URL=<this>"),
	})
}

// accessLogs sends a stage's access logs, as JSON, to a log group kept
// as long as the functions' logs.
func (s *Innkeeper) accessLogs(stage awsapigatewayv2.CfnStage, id string) {
	logs := awslogs.NewLogGroup(s.Stack, jsii.String(id), &awslogs.LogGroupProps{
		Retention: retention(s.stage().LogRetentionDays), RemovalPolicy: s.removal(),
	})
	format, err := json.Marshal(accessLogFormat)
	if err != nil {
		panic(err)
	}
	stage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(string(format)),
	})
}

// addRESTAPI is the LocalStack stage's API: LocalStack's free tier has
// no HTTP API (API Gateway v2), so a REST API proxies every request to
// the api function with payload format 1.0, which the function accepts
// as well as 2.0. Routing is the function's own.
func (s *Innkeeper) addRESTAPI() {
	st := s.stage()
	var fn string
	for _, r := range s.props.Manifest.Routes {
		if r.Path == topology.DefaultRoute {
			fn = r.Function
		}
	}
	api := awsapigateway.NewLambdaRestApi(s.Stack, jsii.String("RestApi"), &awsapigateway.LambdaRestApiProps{
		RestApiName: jsii.String(FunctionName(st.Name, "rest")),
		Handler:     s.Aliases[fn],
		Proxy:       jsii.Bool(true),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String("local"),
			ThrottlingRateLimit:  jsii.Number(st.ThrottleRate),
			ThrottlingBurstLimit: jsii.Number(st.ThrottleBurst),
		},
		DefaultCorsPreflightOptions: &awsapigateway.CorsOptions{
			AllowOrigins: jsii.Strings(st.CORSOrigins...),
			AllowHeaders: jsii.Strings(corsHeaders...),
		},
	})
	awscdk.NewCfnOutput(s.Stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Value:       api.Url(),
		Description: jsii.String("The REST API on LocalStack"),
	})
}
