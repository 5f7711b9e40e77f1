package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/consolesec"
	"innkeeper/shared/topology"
)

// The web console in the cloud: its files in a private bucket that only
// the stage's distribution reads (Origin Access Control), served by the
// same distribution as the API, so the console and the API share one
// origin, one web ACL and need no CORS.

// DefaultConsoleDir is where make web writes the built console.
const DefaultConsoleDir = "web/dist"

// consoleAssets is the console's folder of content-hashed files (Vite's
// build.assetsDir): a new build names new files, so they are cached for
// a year; everything else is revalidated on every request.
const consoleAssets = "assets"

// Cache-Control of the console's files.
const (
	assetsCacheControl = "public, max-age=31536000, immutable"
	entryCacheControl  = "no-cache"
)

// Console is the console's part of a stage with an Edge.
type Console struct {
	Bucket awss3.Bucket
	// Assets uploads the hashed files, Entry index.html, the other
	// unhashed files and config.json, after Assets.
	Assets, Entry awss3deployment.BucketDeployment
	CachePolicy   awscloudfront.CachePolicy
	Headers       awscloudfront.ResponseHeadersPolicy
	// Invalidation has CloudFront forget the entry files after Entry.
	Invalidation customresources.AwsCustomResource
	// Rewrite sends the console's own routes (paths without a file
	// extension) to index.html.
	Rewrite awscloudfront.Function
}

// checkConsoleDir refuses to synthesize a console that was not built.
func checkConsoleDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("console: no console directory; make web builds it into %s", DefaultConsoleDir)
	}
	if fi, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || fi.IsDir() {
		return fmt.Errorf("console: %s has no index.html; make web builds the console (cd web && npm ci && npm run build)", dir)
	}
	return nil
}

// newConsoleBucket is the console's bucket: private, owner-enforced,
// TLS only, encrypted, its access logged beside the others.
func (s *Innkeeper) newConsoleBucket() awss3.Bucket {
	st := s.stage()
	logs := s.Stack.Node().FindChild(jsii.String("AccessLogs")).(awss3.IBucket)
	return awss3.NewBucket(s.Stack, jsii.String("Console"), &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:             jsii.Bool(true),
		RemovalPolicy:          s.removal(),
		AutoDeleteObjects:      jsii.Bool(!st.Protect),
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String("console/"),
	})
}

// rewriteCode is the viewer-request function of the console's
// behaviour: a path whose last segment has no dot is one of the single
// page app's routes (/finance, /desk/reservations/ABC), answered with
// index.html; files keep their paths. The API's behaviours have no
// function, so an API 404 stays the API's.
const rewriteCode = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`

// consoleBehavior is the distribution's default behaviour: the console
// bucket through Origin Access Control, compressed, cached by the
// files' own Cache-Control, with the security headers.
func (s *Innkeeper) consoleBehavior(c *Console) *awscloudfront.BehaviorOptions {
	st := s.stage()
	wsOrigin := fmt.Sprintf("wss://%s.execute-api.%s.%s", *s.WSAPI.ApiId(), *awscdk.Aws_REGION(), *awscdk.Aws_URL_SUFFIX())
	c.CachePolicy = awscloudfront.NewCachePolicy(s.Stack, jsii.String("ConsoleCache"), &awscloudfront.CachePolicyProps{
		CachePolicyName: jsii.String(FunctionName(st.Name, "console")),
		Comment:         jsii.String("Innkeeper console: the files' own Cache-Control, gzip and brotli"),
		// No-cache files (index.html, config.json) are revalidated on
		// every request; hashed assets keep their year.
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		DefaultTtl:                 awscdk.Duration_Days(jsii.Number(1)),
		MaxTtl:                     awscdk.Duration_Days(jsii.Number(365)),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_None(),
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_None(),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
	})
	c.Headers = awscloudfront.NewResponseHeadersPolicy(s.Stack, jsii.String("ConsoleHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		ResponseHeadersPolicyName: jsii.String(FunctionName(st.Name, "console")),
		Comment:                   jsii.String("Innkeeper console: HSTS, CSP (self and the WebSocket API), nosniff, no framing, referrer policy"),
		// The devstack sends the same headers (consolesec.Headers); the
		// console's test checks the two agree.
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)), IncludeSubdomains: jsii.Bool(true), Override: jsii.Bool(true),
			},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(consolesec.CSP(wsOrigin)), Override: jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true),
			},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override: jsii.Bool(true),
			},
		},
	})
	c.Rewrite = awscloudfront.NewFunction(s.Stack, jsii.String("ConsoleRoutes"), &awscloudfront.FunctionProps{
		FunctionName: jsii.String(FunctionName(st.Name, "console-routes")),
		Comment:      jsii.String("Innkeeper console: its routes answer index.html"),
		Code:         awscloudfront.FunctionCode_FromInline(jsii.String(rewriteCode)),
		Runtime:      awscloudfront.FunctionRuntime_JS_2_0(),
	})
	return &awscloudfront.BehaviorOptions{
		Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(c.Bucket, nil),
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachedMethods:         awscloudfront.CachedMethods_CACHE_GET_HEAD(),
		Compress:              jsii.Bool(true),
		CachePolicy:           c.CachePolicy,
		ResponseHeadersPolicy: c.Headers,
		FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
			Function: c.Rewrite, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
		}},
	}
}

// APIPathPatterns are the distribution's behaviours to the HTTP API,
// from the manifest's routes: a one-segment path as itself (/livez), a
// longer one by its first segment (/v1/*). The catch-all route is the
// console's.
func APIPathPatterns(m topology.Manifest) []string {
	var out []string
	for _, r := range m.Routes {
		if r.Path == topology.DefaultRoute {
			continue
		}
		first, rest, deeper := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		p := "/" + first
		if deeper || rest != "" {
			p += "/*"
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// deployConsole uploads the console and its config.json, and has the
// distribution forget the files that are not content-hashed.
func (s *Innkeeper) deployConsole(c *Console) {
	st := s.stage()
	dir := s.props.ConsoleDir
	src := awss3deployment.Source_Asset(jsii.String(dir), nil)
	// Hashed files first, kept across deployments (prune off): a page
	// loaded before a deployment still finds its chunks.
	c.Assets = awss3deployment.NewBucketDeployment(s.Stack, jsii.String("ConsoleAssets"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: c.Bucket,
		Sources:           &[]awss3deployment.ISource{src},
		Exclude:           jsii.Strings("*"),
		Include:           jsii.Strings(consoleAssets + "/*"),
		CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_FromString(jsii.String(assetsCacheControl))},
		Prune:             jsii.Bool(false),
		MemoryLimit:       jsii.Number(512),
	})
	// config.json is what the console cannot know from its own origin:
	// the stage, and the WebSocket API's wss URL with its stage.
	config := map[string]any{"stage": st.Name, "ws_url": s.WSStage.Url()}
	c.Entry = awss3deployment.NewBucketDeployment(s.Stack, jsii.String("ConsoleEntry"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: c.Bucket,
		Sources: &[]awss3deployment.ISource{
			src,
			awss3deployment.Source_JsonData(jsii.String("config.json"), config, nil),
		},
		Exclude:      jsii.Strings(consoleAssets + "/*"),
		CacheControl: &[]awss3deployment.CacheControl{awss3deployment.CacheControl_FromString(jsii.String(entryCacheControl))},
		Prune:        jsii.Bool(false),
		MemoryLimit:  jsii.Number(512),
	})
	c.Entry.Node().AddDependency(c.Assets)
	// The invalidation is a call of its own: the BucketDeployment's
	// would grant cloudfront:CreateInvalidation on every distribution
	// of the account; this one may invalidate this distribution only.
	// It runs when the uploaded entry files change.
	distArn := awscdk.Stack_Of(s.Stack).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("cloudfront"), Region: jsii.String(""), Resource: jsii.String("distribution"),
		ResourceName: s.Distribution.DistributionId(),
	})
	call := &customresources.AwsSdkCall{
		Service: jsii.String("CloudFront"), Action: jsii.String("createInvalidation"),
		Parameters: map[string]any{
			"DistributionId": s.Distribution.DistributionId(),
			"InvalidationBatch": map[string]any{
				"CallerReference": jsii.String("console-" + entryDigest(dir, st.Name)),
				"Paths":           map[string]any{"Quantity": len(invalidatedPaths), "Items": invalidatedPaths},
			},
		},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("console-invalidation")),
	}
	c.Invalidation = customresources.NewAwsCustomResource(s.Stack, jsii.String("ConsoleInvalidation"), &customresources.AwsCustomResourceProps{
		OnCreate: call, OnUpdate: call,
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("cloudfront:CreateInvalidation"),
			Resources: jsii.Strings(*distArn),
		})}),
		InstallLatestAwsSdk: jsii.Bool(false),
	})
	c.Invalidation.Node().AddDependency(c.Entry)
}

// invalidatedPaths are the console's files CloudFront forgets after a
// deployment: the ones that are not content-hashed.
var invalidatedPaths = []string{"/", "/index.html", "/config.json"}

// entryDigest names a deployment of the console's entry files (all but
// the hashed assets) for a stage: a new build, a new invalidation.
func entryDigest(dir, stage string) string {
	h := sha256.New()
	h.Write([]byte(stage))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == consoleAssets {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("console: reading %s: %v", dir, err))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
