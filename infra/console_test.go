package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"innkeeper/shared/consolesec"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// testConsoleDir stands in for web/dist: an index.html and one hashed
// asset.
const testConsoleDir = "testdata/console"

// Managed CloudFront policies the API's behaviours use, by their fixed
// ids.
const (
	cachingDisabled               = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeader     = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	cloudFrontService             = "cloudfront.amazonaws.com"
	consoleBucketLogPrefix        = "console/"
	cloudFrontDistributionArnPart = ":distribution/"
)

// edgeStages are the stages with a distribution, hence a console.
func edgeStages() []string {
	var out []string
	for _, name := range StageNames() {
		if Stages[name].Edge {
			out = append(out, name)
		}
	}
	return out
}

// distributionConfig is the stage's one distribution, by logical id.
func distributionConfig(t *testing.T, stage string) (string, map[string]any) {
	t.Helper()
	dists := resources(t, stage, "AWS::CloudFront::Distribution")
	if len(dists) != 1 {
		t.Fatalf("%s: %d distributions, want 1", stage, len(dists))
	}
	for id, d := range dists {
		return id, props(d)["DistributionConfig"].(map[string]any)
	}
	return "", nil
}

// refOf is the logical id a {"Ref": id} or {"Fn::GetAtt": [id, …]} names.
func refOf(v any) string {
	m, _ := v.(map[string]any)
	if r, ok := m["Ref"].(string); ok {
		return r
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
		s, _ := ga[0].(string)
		return s
	}
	return ""
}

// cloudFrontMatch reports whether a CloudFront path pattern matches a
// path: * is any run of characters (slashes too), ? one character.
func cloudFrontMatch(pattern, path string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(path)
}

// examplePath is a route's path with each {parameter} filled in.
func examplePath(p string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "x1")
}

// TestConsoleBucketPrivate: the console's bucket blocks all public
// access, enforces its ownership, TLS and encryption, logs its access,
// and admits one reader: CloudFront, for this stage's distribution
// only, through an Origin Access Control attached to the S3 origin.
func TestConsoleBucketPrivate(t *testing.T) {
	for _, stage := range edgeStages() {
		s := stacks[stage].stack
		bucketID := *s.Stack.GetLogicalId(s.Console.Bucket.Node().DefaultChild().(awss3.CfnBucket))
		b, ok := resources(t, stage, "AWS::S3::Bucket")[bucketID]
		if !ok {
			t.Fatalf("%s: no console bucket %s", stage, bucketID)
		}
		p := props(b)
		pab := p["PublicAccessBlockConfiguration"].(map[string]any)
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if pab[k] != true {
				t.Errorf("%s: console bucket %s = %v", stage, k, pab[k])
			}
		}
		if !strings.Contains(mustJSON(p["BucketEncryption"]), `"SSEAlgorithm":"AES256"`) {
			t.Errorf("%s: console bucket encryption %s", stage, mustJSON(p["BucketEncryption"]))
		}
		if !strings.Contains(mustJSON(p["OwnershipControls"]), "BucketOwnerEnforced") {
			t.Errorf("%s: console bucket ownership %s", stage, mustJSON(p["OwnershipControls"]))
		}
		logging, _ := p["LoggingConfiguration"].(map[string]any)
		if logging["LogFilePrefix"] != consoleBucketLogPrefix || !strings.HasPrefix(refOf(logging["DestinationBucketName"]), "AccessLogs") {
			t.Errorf("%s: console bucket access logs %s", stage, mustJSON(logging))
		}
		if want := map[string]string{"prod": "Retain"}[stage]; want != "" && b["DeletionPolicy"] != want {
			t.Errorf("%s: console bucket deletion policy %v, want %s", stage, b["DeletionPolicy"], want)
		}

		distID, cfg := distributionConfig(t, stage)
		var policies int
		for _, bp := range resources(t, stage, "AWS::S3::BucketPolicy") {
			if refOf(props(bp)["Bucket"]) != bucketID {
				continue
			}
			policies++
			var tls, reader bool
			for _, raw := range props(bp)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := raw.(map[string]any)
				cond := mustJSON(st["Condition"])
				if st["Effect"] == "Deny" {
					tls = tls || strings.Contains(cond, `"aws:SecureTransport":"false"`)
					continue
				}
				principal := mustJSON(st["Principal"])
				if principal != `{"Service":"`+cloudFrontService+`"}` {
					t.Errorf("%s: the console bucket admits %s; only CloudFront may read it", stage, principal)
				}
				if !strings.Contains(cond, `"AWS:SourceArn"`) || !strings.Contains(cond, cloudFrontDistributionArnPart) ||
					!strings.Contains(cond, `{"Ref":"`+distID+`"}`) {
					t.Errorf("%s: CloudFront's read is not limited to this distribution: %s", stage, cond)
				}
				if a := mustJSON(st["Action"]); a != `"s3:GetObject"` {
					t.Errorf("%s: CloudFront may %s on the console bucket, want s3:GetObject only", stage, a)
				}
				reader = true
			}
			if !tls || !reader {
				t.Errorf("%s: console bucket policy: TLS-only deny %v, CloudFront reader %v", stage, tls, reader)
			}
		}
		if policies != 1 {
			t.Errorf("%s: %d policies on the console bucket, want 1", stage, policies)
		}

		oacs := resources(t, stage, "AWS::CloudFront::OriginAccessControl")
		if len(oacs) != 1 {
			t.Fatalf("%s: %d origin access controls, want 1", stage, len(oacs))
		}
		var oacID string
		for id, o := range oacs {
			c := props(o)["OriginAccessControlConfig"].(map[string]any)
			if c["OriginAccessControlOriginType"] != "s3" || c["SigningBehavior"] != "always" || c["SigningProtocol"] != "sigv4" {
				t.Errorf("%s: origin access control %s", stage, mustJSON(c))
			}
			oacID = id
		}
		var s3Origin bool
		for _, raw := range cfg["Origins"].([]any) {
			o := raw.(map[string]any)
			if refOf(o["DomainName"]) != bucketID {
				continue
			}
			s3Origin = true
			if refOf(o["OriginAccessControlId"]) != oacID {
				t.Errorf("%s: the console origin's access control %s, want %s", stage, mustJSON(o["OriginAccessControlId"]), oacID)
			}
			if oai := mustJSON(o["S3OriginConfig"]); strings.Contains(oai, "origin-access-identity/cloudfront/") {
				t.Errorf("%s: the console origin uses a legacy origin access identity: %s", stage, oai)
			}
		}
		if !s3Origin {
			t.Errorf("%s: no origin is the console bucket", stage)
		}
	}
}

// TestDistributionServesConsoleAndAPI: the distribution's default
// behaviour is the console (HTTPS redirect, compressed, gzip and brotli
// in its cache key, security headers, index.html at the root); every
// manifest route has a behaviour to the HTTP API with the origin
// secret, no caching, every method and the viewer's headers; no console
// path reaches the API; the web ACL guards both.
func TestDistributionServesConsoleAndAPI(t *testing.T) {
	for _, stage := range edgeStages() {
		_, cfg := distributionConfig(t, stage)
		if cfg["WebACLId"] == nil {
			t.Errorf("%s: the distribution has no web ACL", stage)
		}
		if cfg["DefaultRootObject"] != "index.html" {
			t.Errorf("%s: default root object %v", stage, cfg["DefaultRootObject"])
		}
		if cfg["CustomErrorResponses"] != nil {
			// They would apply to the API's behaviours too.
			t.Errorf("%s: distribution-wide error responses %s would rewrite the API's errors", stage, mustJSON(cfg["CustomErrorResponses"]))
		}
		originDomain := map[string]string{}
		apiOrigins := map[string]bool{}
		for _, raw := range cfg["Origins"].([]any) {
			o := raw.(map[string]any)
			originDomain[o["Id"].(string)] = mustJSON(o["DomainName"])
			var header bool
			for _, h := range anySlice(o["OriginCustomHeaders"]) {
				header = header || h.(map[string]any)["HeaderName"] == httpapi.OriginHeader
			}
			if strings.Contains(mustJSON(o["DomainName"]), "execute-api") && header {
				apiOrigins[o["Id"].(string)] = true
			}
		}
		if len(apiOrigins) != 1 {
			t.Fatalf("%s: %d HTTP API origins with the %s header, want 1: %v", stage, len(apiOrigins), httpapi.OriginHeader, originDomain)
		}

		def := cfg["DefaultCacheBehavior"].(map[string]any)
		if apiOrigins[def["TargetOriginId"].(string)] {
			t.Fatalf("%s: the default behaviour goes to the API; want the console", stage)
		}
		if def["Compress"] != true || def["ViewerProtocolPolicy"] != "redirect-to-https" {
			t.Errorf("%s: console behaviour compress %v, viewer protocol %v", stage, def["Compress"], def["ViewerProtocolPolicy"])
		}
		cp, ok := resources(t, stage, "AWS::CloudFront::CachePolicy")[refOf(def["CachePolicyId"])]
		if !ok {
			t.Fatalf("%s: the console's cache policy %s is not in the stack", stage, mustJSON(def["CachePolicyId"]))
		}
		keys := props(cp)["CachePolicyConfig"].(map[string]any)["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
		if keys["EnableAcceptEncodingGzip"] != true || keys["EnableAcceptEncodingBrotli"] != true {
			t.Errorf("%s: console cache policy encodings gzip %v brotli %v", stage, keys["EnableAcceptEncodingGzip"], keys["EnableAcceptEncodingBrotli"])
		}
		rhp, ok := resources(t, stage, "AWS::CloudFront::ResponseHeadersPolicy")[refOf(def["ResponseHeadersPolicyId"])]
		if !ok {
			t.Fatalf("%s: the console has no response headers policy", stage)
		}
		sec := props(rhp)["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"].(map[string]any)
		hsts, _ := sec["StrictTransportSecurity"].(map[string]any)
		if f, _ := hsts["AccessControlMaxAgeSec"].(float64); f < 31536000 {
			t.Errorf("%s: HSTS %s, want at least a year", stage, mustJSON(hsts))
		}
		if sec["ContentTypeOptions"] == nil || mustJSON(sec["FrameOptions"]) != `{"FrameOption":"DENY","Override":true}` || sec["ReferrerPolicy"] == nil {
			t.Errorf("%s: security headers %s", stage, mustJSON(sec))
		}
		if ref, _ := sec["ReferrerPolicy"].(map[string]any); ref["ReferrerPolicy"] != consolesec.ReferrerPolicy {
			t.Errorf("%s: referrer policy %s, the devstack's is %s", stage, mustJSON(sec["ReferrerPolicy"]), consolesec.ReferrerPolicy)
		}
		if fo, _ := sec["FrameOptions"].(map[string]any); fo["FrameOption"] != consolesec.FrameOptions {
			t.Errorf("%s: frame options %s, the devstack's is %s", stage, mustJSON(sec["FrameOptions"]), consolesec.FrameOptions)
		}
		// The policy is consolesec's, with the WebSocket API's origin (a
		// CloudFormation join of its tokens) as the one WebSocket origin.
		cspDef, _ := sec["ContentSecurityPolicy"].(map[string]any)
		if got, want := renderJoin(t, cspDef["ContentSecurityPolicy"]), consolesec.CSP("wss://{WSAPI}.execute-api.{AWS::Region}.{AWS::URLSuffix}"); got != want {
			t.Errorf("%s: CSP\n got %s\nwant %s", stage, got, want)
		}
		csp := mustJSON(sec["ContentSecurityPolicy"])
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' wss://", "WebSocketApi", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP lacks %q: %s", stage, want, csp)
			}
		}
		if strings.Contains(csp, "unsafe-") || strings.Contains(csp, " * ") || strings.Contains(csp, "https:") {
			t.Errorf("%s: CSP allows more than self and the WebSocket API: %s", stage, csp)
		}

		behaviours := anySlice(cfg["CacheBehaviors"])
		matching := func(path string) map[string]any {
			for _, raw := range behaviours {
				b := raw.(map[string]any)
				if cloudFrontMatch(b["PathPattern"].(string), path) {
					return b
				}
			}
			return nil
		}
		for _, r := range topology.Innkeeper.Routes {
			if r.Path == topology.DefaultRoute {
				continue
			}
			b := matching(examplePath(r.Path))
			if b == nil {
				t.Errorf("%s: %s %s has no behaviour: CloudFront would send it to the console", stage, r.Method, r.Path)
				continue
			}
			if !apiOrigins[b["TargetOriginId"].(string)] {
				t.Errorf("%s: %s %s goes to %s, not the API", stage, r.Method, r.Path, originDomain[b["TargetOriginId"].(string)])
			}
			if b["CachePolicyId"] != cachingDisabled || b["OriginRequestPolicyId"] != allViewerExceptHostHeader {
				t.Errorf("%s: %s: cache policy %v, origin request policy %v", stage, b["PathPattern"], b["CachePolicyId"], b["OriginRequestPolicyId"])
			}
			if methods := anyStrings(b["AllowedMethods"]); !slices.Contains(methods, r.Method) && r.Method != "ANY" {
				t.Errorf("%s: %s allows %v, not %s", stage, b["PathPattern"], methods, r.Method)
			}
			if b["Compress"] != false || b["ViewerProtocolPolicy"] != "https-only" {
				t.Errorf("%s: %s compress %v, viewer protocol %v", stage, b["PathPattern"], b["Compress"], b["ViewerProtocolPolicy"])
			}
		}
		for _, path := range []string{"/", "/index.html", "/config.json", "/assets/index-abc123.js", "/finance", "/desk/reservations/ABC123", "/book/grand-hotel"} {
			if b := matching(path); b != nil {
				t.Errorf("%s: the console's %s goes to %s (%s)", stage, path, originDomain[b["TargetOriginId"].(string)], b["PathPattern"])
			}
		}
	}
}

// TestAPIPathPatternsFromTheManifest: the API's behaviours follow the
// manifest: a new first path segment gets its behaviour, and the
// catch-all route does not take the console's paths.
func TestAPIPathPatternsFromTheManifest(t *testing.T) {
	m := topology.Manifest{Routes: []topology.Route{
		{Method: "GET", Path: "/livez"}, {Method: "GET", Path: "/v1/hotels"}, {Method: "POST", Path: "/v1/reservations/{reference}/cancel"},
		{Method: "GET", Path: "/v2/things"}, {Method: "ANY", Path: topology.DefaultRoute},
	}}
	if got, want := APIPathPatterns(m), []string{"/livez", "/v1/*", "/v2/*"}; !slices.Equal(got, want) {
		t.Errorf("patterns %v, want %v", got, want)
	}
}

// TestConsoleDeployment: the console is uploaded in two steps, hashed
// assets with a year's cache and then the rest with no-cache plus a
// config.json naming the stage and the WebSocket API's wss URL; the
// distribution then forgets index.html and config.json.
func TestConsoleDeployment(t *testing.T) {
	for _, stage := range edgeStages() {
		s := stacks[stage].stack
		distID, _ := distributionConfig(t, stage)
		bucketID := *s.Stack.GetLogicalId(s.Console.Bucket.Node().DefaultChild().(awss3.CfnBucket))
		var assets, entry map[string]any
		var assetsID, entryID string
		var n int
		for id, d := range resources(t, stage, "Custom::CDKBucketDeployment") {
			if refOf(props(d)["DestinationBucketName"]) != bucketID {
				continue
			}
			n++
			if props(d)["Include"] != nil {
				assets, assetsID = d, id
			} else {
				entry, entryID = d, id
			}
		}
		if n != 2 || assets == nil || entry == nil {
			t.Fatalf("%s: %d deployments to the console bucket, want the assets' and the entry's", stage, n)
		}
		for name, d := range map[string]map[string]any{"assets": assets, "entry": entry} {
			if props(d)["Prune"] != false {
				t.Errorf("%s: the %s deployment prunes: a page open across a deployment would lose its chunks", stage, name)
			}
		}
		ap := props(assets)
		if !strings.Contains(mustJSON(ap["SystemMetadata"]), "max-age=31536000") || !slices.Contains(anyStrings(ap["Include"]), consoleAssets+"/*") ||
			!slices.Contains(anyStrings(ap["Exclude"]), "*") {
			t.Errorf("%s: assets deployment %s", stage, mustJSON(ap))
		}
		ep := props(entry)
		if mustJSON(ep["SystemMetadata"]) != `{"cache-control":"no-cache"}` || !slices.Contains(anyStrings(ep["Exclude"]), consoleAssets+"/*") {
			t.Errorf("%s: entry deployment metadata %s, exclude %v", stage, mustJSON(ep["SystemMetadata"]), ep["Exclude"])
		}
		// The invalidation: this distribution's entry files, after the
		// entry deployment, allowed on this distribution only.
		var inval int
		for id, r := range resources(t, stage, "Custom::AWS") {
			create := mustJSON(props(r)["Create"])
			if !strings.Contains(create, "createInvalidation") {
				continue
			}
			inval++
			for _, want := range []string{`{"Ref":"` + distID + `"}`, "/index.html", "/config.json", "CallerReference"} {
				if !strings.Contains(create, want) {
					t.Errorf("%s: invalidation %s lacks %s: %s", stage, id, want, create)
				}
			}
			if mustJSON(props(r)["Update"]) != create {
				t.Errorf("%s: a deployment does not invalidate again", stage)
			}
			if !slices.Contains(anyStrings(r["DependsOn"]), entryID) {
				t.Errorf("%s: the invalidation may run before index.html is uploaded: depends on %v", stage, r["DependsOn"])
			}
		}
		if inval != 1 {
			t.Errorf("%s: %d invalidations of the distribution, want 1", stage, inval)
		}
		var scoped bool
		for _, pol := range resources(t, stage, "AWS::IAM::Policy") {
			for _, raw := range props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := raw.(map[string]any)
				if slices.Contains(anyStrings(st["Action"]), "cloudfront:CreateInvalidation") {
					res := mustJSON(st["Resource"])
					scoped = strings.Contains(res, ":distribution/") && strings.Contains(res, `{"Ref":"`+distID+`"}`)
					if !scoped {
						t.Errorf("%s: cloudfront:CreateInvalidation on %s, want this distribution only", stage, res)
					}
				}
			}
		}
		if !scoped {
			t.Errorf("%s: no policy allows the invalidation", stage)
		}
		if !slices.Contains(anyStrings(entry["DependsOn"]), assetsID) {
			t.Errorf("%s: index.html may be uploaded before its assets: depends on %v", stage, entry["DependsOn"])
		}
		// config.json's ws_url is a deploy-time value: markers in the
		// file, their values among the deployment's source markers.
		cfgJSON := consoleConfigFile(t, stage)
		markers, _ := anySlice(ep["SourceMarkers"])[1].(map[string]any)
		for m, v := range markers {
			cfgJSON = strings.ReplaceAll(cfgJSON, m, mustJSON(v))
		}
		wsID := *s.Stack.GetLogicalId(s.WSAPI.Node().DefaultChild().(awscdk.CfnElement))
		want := `"ws_url":"wss://{"Ref":"` + wsID + `"}.execute-api.` + *s.Stack.Region() + `.{"Ref":"AWS::URLSuffix"}/` + topology.Innkeeper.WebSocket.Stage + `"`
		if !strings.Contains(cfgJSON, `"stage":"`+stage+`"`) || !strings.Contains(cfgJSON, want) {
			t.Errorf("%s: config.json %s, want the stage and %s", stage, cfgJSON, want)
		}
	}
}

// consoleConfigFile is the config.json the stage's deployment uploads,
// as the CDK staged it in the app's output folder.
func consoleConfigFile(t *testing.T, stage string) string {
	t.Helper()
	out := *awscdk.Stage_Of(stacks[stage].stack.Stack).Outdir()
	files, err := filepath.Glob(filepath.Join(out, "asset.*", "config.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%s: config.json in %s: %v %v", stage, out, files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWebSocketAdmitsTheConsoleOrigin: the functions that check a
// browser's Origin (the ws function's $connect) accept the
// distribution's own https origin beside the stage's.
func TestWebSocketAdmitsTheConsoleOrigin(t *testing.T) {
	for _, stage := range deployed {
		distID := ""
		if Stages[stage].Edge {
			distID, _ = distributionConfig(t, stage)
		}
		vars := props(ours(t, stage)["ws"])["Environment"].(map[string]any)["Variables"].(map[string]any)
		origins := mustJSON(vars["CORS_ALLOWED_ORIGINS"])
		for _, o := range Stages[stage].CORSOrigins {
			if !strings.Contains(origins, o) {
				t.Errorf("%s: ws origins %s lack %s", stage, origins, o)
			}
		}
		edge := strings.Contains(origins, `,https://",{"Fn::GetAtt":["`+distID+`","DomainName"]}`)
		if edge != Stages[stage].Edge {
			t.Errorf("%s: ws origins %s include the distribution: %v, want %v", stage, origins, edge, Stages[stage].Edge)
		}
	}
}

// TestConsoleMustBeBuilt: a stage with a console does not synthesize
// without the built console, and says how to build it.
func TestConsoleMustBeBuilt(t *testing.T) {
	empty := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"stage": "prod", "consoleDir": empty}})
	if _, err := build(app, codeDir); err == nil || !strings.Contains(err.Error(), "make web") || !strings.Contains(err.Error(), "index.html") {
		t.Fatalf("no index.html: %v, want a refusal naming make web", err)
	}
	if err := os.WriteFile(empty+"/index.html", []byte("<!doctype html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkConsoleDir(empty); err != nil {
		t.Fatalf("with index.html: %v", err)
	}
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// renderJoin renders a CloudFormation string: a literal as itself, an
// Fn::Join of literals and Refs with each Ref as {name} ({WSAPI} for the
// WebSocket API's id, {AWS::Region} for a pseudo parameter).
func renderJoin(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			if strings.HasPrefix(ref, "WebSocketApi") {
				return "{WSAPI}"
			}
			return "{" + ref + "}"
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			var parts []string
			for _, p := range anySlice(j[1]) {
				parts = append(parts, renderJoin(t, p))
			}
			return strings.Join(parts, sep)
		}
	}
	t.Fatalf("not a string CloudFormation renders: %s", mustJSON(v))
	return ""
}
