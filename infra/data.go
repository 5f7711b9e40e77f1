package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticache"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
)

const (
	dbName     = "innkeeper"
	dbUser     = "innkeeper"
	dbPort     = 5432
	redisPort  = 6379
	appSecrets = "APP_SECRET_ARN"
	// originSecrets names the origin secret (shared/secrets).
	originSecrets = "ORIGIN_SECRET_ARN"
	// stripeSecrets names the Stripe secret (shared/secrets).
	stripeSecrets = "STRIPE_SECRET_ARN"
)

// Data is the stateful part: PostgreSQL behind RDS Proxy, Redis, and
// the secrets the functions read at start.
type Data struct {
	DB          awsrds.DatabaseInstance // nil on LocalStack
	Proxy       awsrds.DatabaseProxy
	DBSecret    awssecretsmanager.ISecret
	Redis       awselasticache.CfnReplicationGroup
	RedisSecret awssecretsmanager.Secret
	AppSecret   awssecretsmanager.Secret
	// StripeSecret holds the Stripe secret key and the webhook signing
	// secret; only the functions that call Stripe may read it.
	StripeSecret awssecretsmanager.Secret
}

func newData(s *Innkeeper) *Data {
	st := s.stage()
	d := &Data{AppSecret: newAppSecret(s), StripeSecret: newStripeSecret(s)}
	if st.LocalStack {
		return d
	}
	n := s.Network

	d.DB = awsrds.NewDatabaseInstance(s.Stack, jsii.String("Database"), &awsrds.DatabaseInstanceProps{
		Engine: awsrds.DatabaseInstanceEngine_Postgres(&awsrds.PostgresInstanceEngineProps{
			Version: awsrds.PostgresEngineVersion_VER_15(),
		}),
		InstanceType:               awsec2.NewInstanceType(jsii.String(st.DBInstanceClass)),
		Vpc:                        n.VPC,
		VpcSubnets:                 s.subnets(),
		SecurityGroups:             &[]awsec2.ISecurityGroup{n.Database},
		DatabaseName:               jsii.String(dbName),
		Credentials:                awsrds.Credentials_FromGeneratedSecret(jsii.String(dbUser), nil),
		StorageEncrypted:           jsii.Bool(true),
		AllocatedStorage:           jsii.Number(float64(st.DBAllocatedGB)),
		MaxAllocatedStorage:        jsii.Number(float64(st.DBMaxAllocatedGB)),
		MultiAz:                    jsii.Bool(st.MultiAZ),
		PubliclyAccessible:         jsii.Bool(false),
		BackupRetention:            awscdk.Duration_Days(jsii.Number(float64(st.BackupRetentionDay))),
		DeletionProtection:         jsii.Bool(st.Protect),
		RemovalPolicy:              dbRemoval(st),
		IamAuthentication:          jsii.Bool(true),
		AutoMinorVersionUpgrade:    jsii.Bool(true),
		CloudwatchLogsExports:      &[]*string{jsii.String("postgresql")},
		CloudwatchLogsRetention:    retention(st.LogRetentionDays),
		EnablePerformanceInsights:  jsii.Bool(true),
		PreferredBackupWindow:      jsii.String("02:00-03:00"),
		PreferredMaintenanceWindow: jsii.String("sun:03:30-sun:04:30"),
		CopyTagsToSnapshot:         jsii.Bool(true),
		Parameters: &map[string]*string{
			// Guests' connections are TLS only, through the proxy.
			"rds.force_ssl": jsii.String("1"),
		},
	})
	d.DBSecret = d.DB.Secret()
	d.DB.AddRotationSingleUser(&awsrds.RotationSingleUserOptions{
		AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(30)),
		VpcSubnets:         s.subnets(),
		SecurityGroup:      n.Rotation,
		Endpoint:           n.SecretsEndpoint,
	})
	d.Proxy = d.DB.AddProxy(jsii.String("Proxy"), &awsrds.DatabaseProxyOptions{
		Vpc:            n.VPC,
		VpcSubnets:     s.subnets(),
		SecurityGroups: &[]awsec2.ISecurityGroup{n.Proxy},
		Secrets:        &[]awssecretsmanager.ISecret{d.DBSecret},
		RequireTLS:     jsii.Bool(true),
		// Functions log in with IAM tokens (rds-db:connect), never
		// with the secret's password, which only the proxy reads.
		IamAuth:       jsii.Bool(true),
		BorrowTimeout: awscdk.Duration_Seconds(jsii.Number(5)),
		// Lambda opens a connection per execution environment; the
		// proxy multiplexes them onto a few database connections.
		MaxConnectionsPercent: jsii.Number(80),
	})
	// The functions reach the proxy, the proxy the database: a function
	// cannot reach the instance past the proxy. The rotation function's
	// rule to the database is the CDK's, from AddRotationSingleUser.
	n.Proxy.AddIngressRule(n.Functions, awsec2.Port_Tcp(jsii.Number(dbPort)), jsii.String("functions to the proxy"), nil)
	n.Proxy.AddEgressRule(n.Database, awsec2.Port_Tcp(jsii.Number(dbPort)), jsii.String("proxy to the database"), nil)
	n.Database.AddIngressRule(n.Proxy, awsec2.Port_Tcp(jsii.Number(dbPort)), jsii.String("proxy to the database"), nil)

	d.RedisSecret = awssecretsmanager.NewSecret(s.Stack, jsii.String("RedisAuth"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Redis AUTH token of the cache"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String("{}"),
			GenerateStringKey:    jsii.String("password"),
			PasswordLength:       jsii.Number(64),
			ExcludePunctuation:   jsii.Bool(true),
		},
		RemovalPolicy: s.removal(),
	})
	var subnetIDs []interface{}
	for _, id := range *n.VPC.SelectSubnets(s.subnets()).SubnetIds {
		subnetIDs = append(subnetIDs, id)
	}
	group := awselasticache.NewCfnSubnetGroup(s.Stack, jsii.String("CacheSubnets"), &awselasticache.CfnSubnetGroupProps{
		Description: jsii.String("Innkeeper cache, private subnets"),
		SubnetIds:   &subnetIDs,
	})
	d.Redis = awselasticache.NewCfnReplicationGroup(s.Stack, jsii.String("Cache"), &awselasticache.CfnReplicationGroupProps{
		ReplicationGroupDescription: jsii.String("Innkeeper Redis: cache, rate limits, counters, WebSocket connections"),
		Engine:                      jsii.String("redis"),
		EngineVersion:               jsii.String("7.1"),
		CacheNodeType:               jsii.String(st.CacheNodeType),
		NumCacheClusters:            jsii.Number(float64(1 + st.CacheReplicas)),
		AutomaticFailoverEnabled:    st.CacheReplicas > 0,
		MultiAzEnabled:              st.CacheReplicas > 0,
		CacheSubnetGroupName:        group.Ref(),
		SecurityGroupIds:            &[]*string{n.Cache.SecurityGroupId()},
		Port:                        jsii.Number(redisPort),
		TransitEncryptionEnabled:    true,
		AtRestEncryptionEnabled:     true,
		AuthToken:                   d.RedisSecret.SecretValueFromJson(jsii.String("password")).UnsafeUnwrap(),
		SnapshotRetentionLimit:      jsii.Number(1),
		AutoMinorVersionUpgrade:     true,
	})
	return d
}

// dbRemoval keeps a final snapshot of a protected stage's database.
func dbRemoval(st Stage) awscdk.RemovalPolicy {
	if st.Protect {
		return awscdk.RemovalPolicy_SNAPSHOT
	}
	return awscdk.RemovalPolicy_DESTROY
}

// newAppSecret holds APP_KEY (generated here), the mail settings, and,
// during a rotation, APP_KEY_NEXT, added by the operator (docs/runbook).
func newAppSecret(s *Innkeeper) awssecretsmanager.Secret {
	st := s.stage()
	template := map[string]string{"MAIL_FROM": st.MailFrom, "MAIL_STAFF_TO": st.MailStaffTo}
	if st.LocalStack {
		// LocalStack's free tier has no SES v2: mail goes to the
		// compose file's Mailpit.
		template["SMTP_ADDR"] = st.LocalSMTPAddr
	}
	body, err := json.Marshal(template)
	if err != nil {
		panic(fmt.Sprintf("infra: app secret template: %v", err))
	}
	return awssecretsmanager.NewSecret(s.Stack, jsii.String("AppSecrets"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Innkeeper APP_KEY (guest link signing), APP_KEY_NEXT during rotation, mail settings"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String(string(body)),
			GenerateStringKey:    jsii.String("APP_KEY"),
			PasswordLength:       jsii.Number(64),
			ExcludePunctuation:   jsii.Bool(true),
		},
		RemovalPolicy: s.removal(),
	})
}

// StripePlaceholder is the Stripe secret as deployed: both values empty,
// so the functions start with payments off (shared/config) until an
// operator puts the stage's key and webhook secret into it (README,
// Payments in the cloud). No key is ever in code or a template.
var StripePlaceholder = map[string]string{"STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": ""}

// StripeSecretName is the Stripe secret's name in a stage, which the
// operator's put-secret-value names.
func StripeSecretName(stage string) string { return "innkeeper/" + stage + "/stripe" }

// newStripeSecret is the Stripe secret with its placeholder. The value
// is the template's only at creation: CloudFormation leaves a secret's
// value alone while the template's does not change, so the operator's
// put-secret-value survives every deployment.
func newStripeSecret(s *Innkeeper) awssecretsmanager.Secret {
	return awssecretsmanager.NewSecret(s.Stack, jsii.String("StripeSecret"), &awssecretsmanager.SecretProps{
		SecretName: jsii.String(StripeSecretName(s.stage().Name)),
		Description: jsii.String("Innkeeper " + s.stage().Name + ": STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, " +
			"set by an operator from the Stripe dashboard (README, Payments in the cloud)"),
		SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String(mustMarshal(StripePlaceholder))),
		RemovalPolicy:     s.removal(),
	})
}

// newUploads is the bucket for guests' and staff's uploads: private,
// encrypted, versioned, TLS only, old versions expire.
func newUploads(s *Innkeeper) awss3.Bucket {
	st := s.stage()
	props := &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     s.removal(),
		AutoDeleteObjects: jsii.Bool(!st.Protect && !st.LocalStack),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-old-versions"),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(30)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}, {
			Id: jsii.String("infrequent-access"),
			Transitions: &[]*awss3.Transition{{
				StorageClass:    awss3.StorageClass_INFREQUENT_ACCESS(),
				TransitionAfter: awscdk.Duration_Days(jsii.Number(90)),
			}},
		}},
	}
	if !st.LocalStack {
		logs := awss3.NewBucket(s.Stack, jsii.String("AccessLogs"), &awss3.BucketProps{
			Encryption:        awss3.BucketEncryption_S3_MANAGED,
			BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
			EnforceSSL:        jsii.Bool(true),
			RemovalPolicy:     s.removal(),
			AutoDeleteObjects: jsii.Bool(!st.Protect),
			ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
			LifecycleRules: &[]*awss3.LifecycleRule{{
				Id: jsii.String("expire-access-logs"), Expiration: awscdk.Duration_Days(jsii.Number(float64(st.LogRetentionDays))),
			}},
		})
		props.ServerAccessLogsBucket = logs
		props.ServerAccessLogsPrefix = jsii.String("uploads/")
	}
	return awss3.NewBucket(s.Stack, jsii.String("Uploads"), props)
}
