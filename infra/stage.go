package main

import (
	"fmt"
	"sort"
	"strings"

	"innkeeper/shared/topology"
)

// Stage is everything that differs between the deployed environments:
// data, sizes and safety settings, never structure. The same manifest
// builds every stage.
type Stage struct {
	// Name is staging, prod or localstack; APP_ENV is AppEnv.
	Name   string
	AppEnv string

	// LocalStack stages deploy only what LocalStack's free tier
	// emulates: functions outside a VPC, SQS, EventBridge, Secrets
	// Manager and a REST API (payload 1.0) in place of the HTTP API;
	// PostgreSQL, Redis and Mailpit come from the compose file.
	LocalStack bool

	// Database.
	DBInstanceClass    string // e.g. t4g.micro
	DBAllocatedGB      int
	DBMaxAllocatedGB   int
	BackupRetentionDay int
	MultiAZ            bool
	// Protect turns on deletion protection and snapshot-on-delete for
	// the database, and retains the uploads bucket and the logs.
	Protect bool

	// Cache.
	CacheNodeType string
	CacheReplicas int // read replicas beside the primary; >0 enables failover

	// Network: NAT gateways for egress to the internet. The VPC
	// endpoints carry all AWS traffic; the NAT gateways carry what goes
	// elsewhere: Stripe's API (api.stripe.com), which the api and the
	// worker call and which offers no private endpoint, and the
	// WebSocket API's public @connections endpoint. A deployed stage
	// needs at least one (Validate); one per zone (2) keeps payments up
	// when a zone is down, one alone is cheaper.
	NatGateways int

	// HTTP API.
	CORSOrigins    []string
	ThrottleRate   float64 // steady requests per second per stage
	ThrottleBurst  float64
	WSThrottleRate float64
	WSBurst        float64
	// BookingWriteRate and BookingWriteBurst throttle each public write
	// route (POST /v1/reservations and the other public POSTs) on its
	// own, below the stage's limit: a flood of holds cannot take the
	// whole stage's budget, nor the reads with it.
	BookingWriteRate  float64
	BookingWriteBurst float64
	// ReservedConcurrency caps a function's concurrent executions in
	// this stage, over the manifest's value: the api's cap keeps one
	// client from taking the account's Lambda concurrency before the
	// per-address limiter runs, and leaves the rest to the others.
	ReservedConcurrency map[string]int

	// Edge puts a CloudFront distribution with AWS WAF (a rate rule per
	// address and AWS's common and known-bad-inputs rule groups) in
	// front of the HTTP API; the API then refuses requests that did not
	// come through it (ORIGIN_SECRET). EdgeRateLimit is the requests one
	// address may make in five minutes. OriginSecretVersion, when set
	// (context originSecretVersion), pins the header CloudFront sends to
	// that version of the origin secret (docs/runbook.md, rotation).
	Edge                bool
	EdgeRateLimit       int
	OriginSecretVersion string
	// Domain and CertificateARN give the HTTP API a custom domain with
	// TLS 1.2; both empty: the execute-api address.
	Domain         string
	CertificateARN string
	AppURL         string

	// Canary shifts 10% of the traffic for 5 minutes before the rest;
	// false shifts all at once. Both roll back on the alarms.
	Canary bool

	LogRetentionDays int
	// Alarm thresholds.
	Max5xxPercent float64
	MaxP95Ms      float64

	// Cost guards, in US dollars (the currency AWS bills in), all
	// notified to the stage's alarm topic. BudgetMonthlyUSD is the AWS
	// Budgets monthly budget of the resources tagged app=innkeeper and
	// stage=Name; BudgetForecastPercent raises an alert when the month's
	// forecast passes that share of it, BudgetActualPercents when the
	// month's actual cost passes each share. AnomalyImpactUSD is the
	// total impact from which a Cost Anomaly Detection finding is sent.
	// MaxHourlyCostUSD is the alarm on the ledger's own CostMicroUSD
	// metric summed over an hour: it fires within the hour, where
	// Budgets and anomaly detection wait for the bill (up to a day).
	BudgetMonthlyUSD      float64
	BudgetForecastPercent float64
	BudgetActualPercents  []float64
	AnomalyImpactUSD      float64
	MaxHourlyCostUSD      float64

	MailFrom    string
	MailStaffTo string

	// CURExportURI is the root of the account's CUR 2.0 data export,
	// s3://bucket/prefix/export-name (context curExportUri; one export
	// serves every stage, which the job tells apart by the stage tag).
	// The scheduler's reconcile-bill job reads it, allowed to list and
	// read that prefix only; empty, the job has no bill to read.
	CURExportURI string

	// LocalStack only: where the functions (running in LocalStack's
	// containers on the compose network) find the compose services.
	LocalDatabaseURL string
	LocalRedisURL    string
	LocalSMTPAddr    string
}

// Stages are the deployable environments. A context value may override
// the domain, certificate, origins and NAT count (see withContext).
var Stages = map[string]Stage{
	"staging": {
		Name: "staging", AppEnv: "staging",
		DBInstanceClass: "t4g.micro", DBAllocatedGB: 20, DBMaxAllocatedGB: 50, BackupRetentionDay: 7,
		CacheNodeType: "cache.t4g.micro",
		NatGateways:   1,
		CORSOrigins:   []string{"https://staging.innkeeper.example"},
		ThrottleRate:  50, ThrottleBurst: 100, WSThrottleRate: 20, WSBurst: 40,
		BookingWriteRate: 5, BookingWriteBurst: 10, ReservedConcurrency: map[string]int{"api": 50},
		AppURL:           "https://staging.innkeeper.example",
		LogRetentionDays: 14, Max5xxPercent: 5, MaxP95Ms: 1500,
		BudgetMonthlyUSD: 150, BudgetForecastPercent: 100, BudgetActualPercents: []float64{80, 100},
		AnomalyImpactUSD: 10, MaxHourlyCostUSD: 0.5,
		MailFrom: "Innkeeper Staging <bookings@staging.innkeeper.example>", MailStaffTo: "front-desk@staging.innkeeper.example",
	},
	"prod": {
		Name: "prod", AppEnv: "production",
		DBInstanceClass: "t4g.medium", DBAllocatedGB: 50, DBMaxAllocatedGB: 500, BackupRetentionDay: 30,
		MultiAZ: true, Protect: true,
		CacheNodeType: "cache.t4g.small", CacheReplicas: 1, NatGateways: 2,
		CORSOrigins:  []string{"https://innkeeper.example", "https://www.innkeeper.example"},
		ThrottleRate: 500, ThrottleBurst: 1000, WSThrottleRate: 200, WSBurst: 400,
		BookingWriteRate: 50, BookingWriteBurst: 100, ReservedConcurrency: map[string]int{"api": 400},
		Edge: true, EdgeRateLimit: 1000,
		AppURL: "https://innkeeper.example", Canary: true,
		LogRetentionDays: 90, Max5xxPercent: 1, MaxP95Ms: 1000,
		BudgetMonthlyUSD: 1500, BudgetForecastPercent: 100, BudgetActualPercents: []float64{80, 100},
		AnomalyImpactUSD: 50, MaxHourlyCostUSD: 5,
		MailFrom: "Innkeeper <bookings@innkeeper.example>", MailStaffTo: "front-desk@innkeeper.example",
	},
	"localstack": {
		// APP_ENV=local: an emulator on a laptop, over http, as the
		// functions' configuration refuses for staging and production.
		Name: "localstack", AppEnv: "local", LocalStack: true,
		CORSOrigins:  []string{"http://localhost:5173", "http://127.0.0.1:5173"},
		ThrottleRate: 100, ThrottleBurst: 200,
		AppURL:           "http://localhost:4566",
		LogRetentionDays: 3, Max5xxPercent: 5, MaxP95Ms: 1500,
		MailFrom: "Innkeeper <bookings@innkeeper.local>", MailStaffTo: "front-desk@innkeeper.local",
		// The compose file's service names, on the network LocalStack
		// starts Lambda containers in (LAMBDA_DOCKER_NETWORK).
		LocalDatabaseURL: "postgres://postgres:postgres@postgres:5432/innkeeper?sslmode=disable",
		LocalRedisURL:    "redis://redis:6379/0",
		LocalSMTPAddr:    "mailpit:1025",
	},
}

// StageNames lists the stages, sorted.
func StageNames() []string {
	names := make([]string, 0, len(Stages))
	for n := range Stages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validate refuses a stage that would deploy something unsafe.
func (s Stage) Validate() error {
	var problems []string
	for _, o := range s.CORSOrigins {
		if o == "*" || strings.Contains(o, "*") {
			problems = append(problems, "CORS origin "+o+": wildcards are not allowed")
		}
	}
	if len(s.CORSOrigins) == 0 {
		problems = append(problems, "no CORS origins")
	}
	if !s.LocalStack {
		// The functions refuse to start otherwise (shared/config).
		if s.AppEnv != "staging" && s.AppEnv != "production" {
			problems = append(problems, "APP_ENV must be staging or production")
		}
		for _, u := range append([]string{s.AppURL}, s.CORSOrigins...) {
			if !strings.HasPrefix(u, "https://") {
				problems = append(problems, u+": a deployed stage is https only")
			}
		}
	}
	if (s.Domain == "") != (s.CertificateARN == "") {
		problems = append(problems, "domain and certificate go together")
	}
	if !s.LocalStack && (s.BookingWriteRate <= 0 || s.BookingWriteRate > s.ThrottleRate || s.BookingWriteBurst > s.ThrottleBurst) {
		problems = append(problems, "booking writes need their own throttle, within the stage's")
	}
	if !s.LocalStack && s.ReservedConcurrency["api"] < 1 {
		problems = append(problems, "the api function needs reserved concurrency")
	}
	if s.Edge && (s.LocalStack || s.EdgeRateLimit < 100) {
		problems = append(problems, "an edge needs a deployed stage and a rate limit of at least 100 requests per 5 minutes (WAF's minimum)")
	}
	if !s.LocalStack {
		problems = append(problems, s.costGuardProblems()...)
	}
	if !s.LocalStack && s.NatGateways < 1 {
		problems = append(problems, "a deployed stage needs a NAT gateway: the api and the worker call Stripe's API, which is on the internet")
	}
	if !s.LocalStack && s.BackupRetentionDay < 1 {
		problems = append(problems, "backups must be kept at least a day")
	}
	if len(problems) > 0 {
		return fmt.Errorf("stage %s: %s", s.Name, strings.Join(problems, "; "))
	}
	return nil
}

// reserved is a function's reserved concurrency in the stage: the
// stage's own value, else the manifest's (0: unreserved).
func (s Stage) reserved(f topology.Function) int {
	if n, ok := s.ReservedConcurrency[f.Name]; ok {
		return n
	}
	return f.ReservedConcurrency
}

// costGuardProblems are what is wrong with a deployed stage's budget,
// anomaly and hourly cost settings: each must be positive, so no stage
// deploys without its cost alerts.
func (s Stage) costGuardProblems() []string {
	var problems []string
	if s.BudgetMonthlyUSD <= 0 {
		problems = append(problems, "a deployed stage needs a monthly budget")
	}
	if s.BudgetForecastPercent <= 0 || len(s.BudgetActualPercents) == 0 {
		problems = append(problems, "the budget needs a forecast alert and at least one actual alert")
	}
	for _, p := range s.BudgetActualPercents {
		if p <= 0 {
			problems = append(problems, fmt.Sprintf("budget alert at %g%%: want a positive share", p))
		}
	}
	if s.AnomalyImpactUSD <= 0 {
		problems = append(problems, "cost anomalies need a positive impact threshold")
	}
	if s.MaxHourlyCostUSD <= 0 {
		problems = append(problems, "the hourly cost alarm needs a positive threshold")
	}
	return problems
}
