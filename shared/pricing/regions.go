package pricing

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// The region tables: AWS's public on-demand prices, one Prices per
// region, every figure cited (Prices.Cites) with its page, the day it
// was read and, when it could not be read off the page for the region,
// Unsure and a Note saying what was checked. Fixed reads its unit prices
// from here too, so each region has one source.
//
// Monthly free tiers (Lambda's 1M requests and 400,000 GB-seconds, SQS's
// 1M requests, the first 10 alarms, …) are account-wide and not per
// invocation or per stack, so they are not applied: these are marginal
// prices.

// The pages the figures are published on.
const (
	pageLambda      = "https://aws.amazon.com/lambda/pricing/"
	pageInitBilling = "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"
	pageAPIGateway  = "https://aws.amazon.com/api-gateway/pricing/"
	pageSQS         = "https://aws.amazon.com/sqs/pricing/"
	pageEventBridge = "https://aws.amazon.com/eventbridge/pricing/"
	pageSES         = "https://aws.amazon.com/ses/pricing/"
	pageCloudWatch  = "https://aws.amazon.com/cloudwatch/pricing/"
	pageXRay        = "https://aws.amazon.com/xray/pricing/"
	pageSecrets     = "https://aws.amazon.com/secrets-manager/pricing/"
	pagePrivateLink = "https://aws.amazon.com/privatelink/pricing/"
	pageVPC         = "https://aws.amazon.com/vpc/pricing/"
	pageRDS         = "https://aws.amazon.com/rds/postgresql/pricing/"
	pageRDSProxy    = "https://aws.amazon.com/rds/proxy/pricing/"
	pageElastiCache = "https://aws.amazon.com/elasticache/pricing/"
	pageKMS         = "https://aws.amazon.com/kms/pricing/"
	pageWAF         = "https://aws.amazon.com/waf/pricing/"
)

// The days the figures were read.
var (
	readNov1 = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	readDec7 = time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)
)

// offerCopy is how several eu-west-1 figures were checked: the AWS Price
// List offer files for eu-west-1 (what the pricing pages are built
// from), as copied into a public repository on 2026-10-02; the offer
// files themselves could not be fetched from where the table was made.
const offerCopy = "Read from a copy, taken 2026-10-02, of AWS's Price List offer file for eu-west-1 " +
	"(https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/eu-west-1/index.json), usage type "

// pricesEffective is when the table's prices apply from: 1 August 2025,
// when Lambda began billing the INIT phase of every runtime.
var pricesEffective = time.Date(2025, time.August, 1, 0, 0, 0, 0, time.UTC)

// AWSPrices is AWS's public on-demand prices for us-east-1 and eu-west-1
// (see Prices.Cites for each figure, its page and how sure it is).
//
// The table is built on first use, not at package initialisation: every
// function links this package through the store, and only the cost
// ingestion prices anything, so the others' cold starts should not pay
// for its exact arithmetic. Each call returns a copy, citations and all.
func AWSPrices() PriceTable {
	t := slices.Clone(awsPrices())
	for i := range t {
		t[i].Cites = maps.Clone(t[i].Cites)
	}
	return t
}

var awsPrices = sync.OnceValue(func() PriceTable {
	return PriceTable{usEast1Prices(), euWest1Prices()}
})

// cited finishes a region's Prices: Source lists every page its figures
// cite, Read is the latest day any was read.
func cited(p Prices) Prices {
	pages := map[string]bool{pageInitBilling: true}
	for _, c := range p.Cites {
		pages[c.Source] = true
		if c.Read.After(p.Read) {
			p.Read = c.Read
		}
	}
	p.Source = strings.Join(slices.Sorted(maps.Keys(pages)), " ")
	return p
}

// lambdaTiers are the duration prices per MB-ms, the same in both
// regions: x86_64 $0.0000166667 per GB-second for the first 6 billion
// GB-seconds a month, $0.0000150000 for the next 9 billion, $0.0000133334
// over 15 billion; arm64 $0.0000133334 for the first 7.5 billion,
// $0.0000120001 for the next 11.25 billion, $0.0000106667 over 18.75
// billion. Billed duration is rounded up to the millisecond.
func lambdaTiers() (x86, arm Tiers) {
	x86 = Tiers{
		{UpTo: GBSeconds(6_000_000_000), Rate: mustRate("0.0000166667", MBmsPerGBSecond)},
		{UpTo: GBSeconds(15_000_000_000), Rate: mustRate("0.0000150000", MBmsPerGBSecond)},
		{Rate: mustRate("0.0000133334", MBmsPerGBSecond)},
	}
	arm = Tiers{
		{UpTo: GBSeconds(7_500_000_000), Rate: mustRate("0.0000133334", MBmsPerGBSecond)},
		{UpTo: GBSeconds(18_750_000_000), Rate: mustRate("0.0000120001", MBmsPerGBSecond)},
		{Rate: mustRate("0.0000106667", MBmsPerGBSecond)},
	}
	return x86, arm
}

const (
	tb = 1024 * BytesPerGB
	pb = 1024 * tb
)

// logTiers is the CloudWatch Logs Standard-class price of vended Lambda
// logs (tiered since 1 May 2025) per byte: first 10 TB a month, next 20
// TB, next 20 TB, over 50 TB.
func logTiers(first, second, third, over string) Tiers {
	return Tiers{
		{UpTo: 10 * tb, Rate: mustRate(first, BytesPerGB)},
		{UpTo: 30 * tb, Rate: mustRate(second, BytesPerGB)},
		{UpTo: 50 * tb, Rate: mustRate(third, BytesPerGB)},
		{Rate: mustRate(over, BytesPerGB)},
	}
}

// endpointDataTiers is PrivateLink's per-byte price of data processed by
// interface endpoints, per region: first 1 PB a month, next 4 PB, over 5.
func endpointDataTiers(first, next, over string) Tiers {
	return Tiers{
		{UpTo: pb, Rate: mustRate(first, BytesPerGB)},
		{UpTo: 5 * pb, Rate: mustRate(next, BytesPerGB)},
		{Rate: mustRate(over, BytesPerGB)},
	}
}

// metricTiers is CloudWatch's price per custom metric-month: first
// 10,000 metrics, next 240,000, next 750,000, over 1,000,000.
func metricTiers() Tiers {
	return Tiers{
		{UpTo: 10_000, Rate: mustRate("0.30", 1)},
		{UpTo: 250_000, Rate: mustRate("0.10", 1)},
		{UpTo: 1_000_000, Rate: mustRate("0.05", 1)},
		{Rate: mustRate("0.02", 1)},
	}
}

// usEast1Prices is US East (N. Virginia).
func usEast1Prices() Prices {
	x86, arm := lambdaTiers()
	sure := func(page string, read time.Time, note string) Cite {
		return Cite{Source: page, Read: read, Note: note}
	}
	unsure := func(page, note string) Cite {
		return Cite{Source: page, Read: readDec7, Unsure: true, Note: note}
	}
	return cited(Prices{
		Region:             "us-east-1",
		EffectiveFrom:      pricesEffective,
		BillsInit:          true, // always so for provided.al2023; for every runtime since 1 August 2025
		LambdaRequests:     mustRate("0.20", 1_000_000),
		LambdaComputeX86:   x86,
		LambdaComputeARM64: arm,
		HTTPRequests: Tiers{
			{UpTo: 300_000_000, Rate: mustRate("1.00", 1_000_000)},
			{Rate: mustRate("0.90", 1_000_000)},
		},
		WebSocketMessages: Tiers{
			{UpTo: 1_000_000_000, Rate: mustRate("1.00", 1_000_000)},
			{Rate: mustRate("0.80", 1_000_000)},
		},
		WebSocketMinutes:     mustRate("0.25", 1_000_000),
		SQSRequests:          mustRate("0.40", 1_000_000),
		EventBridgeEvents:    mustRate("1.00", 1_000_000),
		SESEmails:            mustRate("0.10", 1000),
		LogsIngestion:        logTiers("0.50", "0.25", "0.10", "0.05"),
		XRayTracesRecorded:   mustRate("5.00", 1_000_000),
		XRayTracesRetrieved:  mustRate("0.50", 1_000_000),
		RDSPostgresT4gMicro:  mustRate("0.016", 1),
		RDSPostgresT4gMedium: mustRate("0.065", 1),
		RDSStorage:           mustRate("0.115", 1),
		RDSProxy:             mustRate("0.015", 1),
		CacheT4gMicro:        mustRate("0.016", 1),
		CacheT4gSmall:        mustRate("0.032", 1),
		VPCEndpointHours:     mustRate("0.01", 1),
		VPCEndpointData:      endpointDataTiers("0.01", "0.006", "0.004"),
		NATGatewayHours:      mustRate("0.045", 1),
		NATGatewayData:       mustRate("0.045", BytesPerGB),
		SecretsMonths:        mustRate("0.40", 1),
		SecretsAPICalls:      mustRate("0.05", 10_000),
		CloudWatchAlarms:     mustRate("0.10", 1),
		CloudWatchMetrics:    metricTiers(),
		CloudWatchDashboards: mustRate("3.00", 1),
		LogsStorage:          mustRate("0.03", 1),
		KMSKeys:              mustRate("1.00", 1),
		WAFWebACLs:           mustRate("5.00", 1),
		WAFRules:             mustRate("1.00", 1),
		Cites: map[string]Cite{
			"LambdaRequests":     sure(pageLambda, readNov1, "$0.20 per 1M requests."),
			"LambdaComputeX86":   sure(pageLambda, readNov1, "Per GB-second, tiered by the month's GB-seconds per architecture and region."),
			"LambdaComputeARM64": sure(pageLambda, readNov1, "Per GB-second, tiered by the month's GB-seconds per architecture and region."),
			"HTTPRequests":       sure(pageAPIGateway, readNov1, "HTTP APIs: $1.00 per million for the first 300 million a month, $0.90 after; metered per 512 KB."),
			"WebSocketMessages":  sure(pageAPIGateway, readNov1, "$1.00 per million messages for the first billion a month, $0.80 after; metered per 32 KB."),
			"WebSocketMinutes":   sure(pageAPIGateway, readNov1, "$0.25 per million connection minutes."),
			"SQSRequests":        sure(pageSQS, readNov1, "Standard queues, $0.40 per million requests (lower after 100 billion a month; not modelled); each 64 KB chunk one request."),
			"EventBridgeEvents":  sure(pageEventBridge, readNov1, "Custom events $1.00 per million (64 KB chunks); scheduled rule events on the default bus are free."),
			"SESEmails":          sure(pageSES, readNov1, "$0.10 per 1,000 emails."),
			"LogsIngestion":      sure(pageCloudWatch, readNov1, "Vended Lambda logs, Standard class, since 1 May 2025: $0.50/GB first 10 TB, $0.25 next 20 TB, $0.10 next 20 TB, $0.05 over 50 TB."),
			"XRayTracesRecorded": unsure(pageXRay, "$5.00 per million traces recorded, as AWS has long published it; the page was not reachable from here and no copy was found."),
			"XRayTracesRetrieved": unsure(pageXRay,
				"$0.50 per million traces retrieved or scanned, as AWS has long published it; the page was not reachable from here and no copy was found."),
			"RDSPostgresT4gMicro":  sure(pageRDS, readNov1, "db.t4g.micro Single-AZ; Multi-AZ $0.032."),
			"RDSPostgresT4gMedium": sure(pageRDS, readNov1, "db.t4g.medium Single-AZ; Multi-AZ $0.130."),
			"RDSStorage":           sure(pageRDS, readNov1, "General Purpose (gp2 and gp3 alike) Single-AZ; Multi-AZ $0.23. gp3 includes 3,000 IOPS and 125 MB/s."),
			"RDSProxy":             sure(pageRDSProxy, readNov1, "Per vCPU-hour of the database instance, at least 2 vCPUs."),
			"CacheT4gMicro":        sure(pageElastiCache, readNov1, "cache.t4g.micro on-demand node."),
			"CacheT4gSmall":        sure(pageElastiCache, readNov1, "cache.t4g.small on-demand node."),
			"VPCEndpointHours":     sure(pagePrivateLink, readNov1, "Interface endpoint, per endpoint per AZ-hour."),
			"VPCEndpointData": unsure(pagePrivateLink,
				"$0.01/GB for the first PB a month is as read on 2026-11-01; $0.006 next 4 PB and $0.004 over 5 PB are as AWS has published them, not re-read."),
			"NATGatewayHours": unsure(pageVPC, "$0.045 per NAT gateway-hour: several secondary sources (cost guides, 2026) agree; the page itself was not reachable."),
			"NATGatewayData":  unsure(pageVPC, "$0.045 per GB processed: several secondary sources (cost guides, 2026) agree; the page itself was not reachable."),
			"SecretsMonths":   sure(pageSecrets, readNov1, "$0.40 per secret per month."),
			"SecretsAPICalls": sure(pageSecrets, readNov1, "$0.05 per 10,000 API calls."),
			"CloudWatchAlarms": sure(pageCloudWatch, readNov1,
				"Standard resolution, per alarm metric-month."),
			"CloudWatchMetrics": unsure(pageCloudWatch,
				"$0.30 first 10,000, $0.10 next 240,000, $0.05 next 750,000, $0.02 over 1M metrics, as AWS has published them; the page was not reachable from here."),
			"CloudWatchDashboards": sure(pageCloudWatch, readNov1, "Per custom dashboard-month."),
			"LogsStorage":          unsure(pageCloudWatch, "$0.03 per GB-month archived, as secondary sources (cost guides, 2026) state it; the page itself was not reachable."),
			"KMSKeys": unsure(pageKMS,
				"$1.00 per customer managed key-month, as secondary sources (cloudburn.io, March 2026; wring.co) state it from the page; a key with rotation on adds $1 a month for each of its first two rotations (not counted). The page was not reachable."),
			"WAFWebACLs": unsure(pageWAF, "$5.00 per web ACL-month, as secondary sources (c3x.dev, awsnegotiations.com, 2026) state it; the page was not reachable."),
			"WAFRules": unsure(pageWAF,
				"$1.00 per rule-month, a managed rule group counting as one rule (c3x.dev, 2026; awsnegotiations.com says a group may count as several); the page was not reachable."),
		},
	})
}

// euWest1Prices is Europe (Ireland), the default region.
func euWest1Prices() Prices {
	x86, arm := lambdaTiers()
	sure := func(page string, read time.Time, note string) Cite {
		return Cite{Source: page, Read: read, Note: note}
	}
	unsure := func(page, note string) Cite {
		return Cite{Source: page, Read: readDec7, Unsure: true, Note: note}
	}
	same := "Lambda, SQS, EventBridge and SES list the same prices in eu-west-1 as in us-east-1. "
	return cited(Prices{
		Region:             "eu-west-1",
		EffectiveFrom:      pricesEffective,
		BillsInit:          true,
		LambdaRequests:     mustRate("0.20", 1_000_000),
		LambdaComputeX86:   x86,
		LambdaComputeARM64: arm,
		HTTPRequests: Tiers{
			{UpTo: 300_000_000, Rate: mustRate("1.11", 1_000_000)},
			{Rate: mustRate("1.00", 1_000_000)},
		},
		WebSocketMessages: Tiers{
			{UpTo: 1_000_000_000, Rate: mustRate("1.14", 1_000_000)},
			{Rate: mustRate("0.94", 1_000_000)},
		},
		WebSocketMinutes:     mustRate("0.285", 1_000_000),
		SQSRequests:          mustRate("0.40", 1_000_000),
		EventBridgeEvents:    mustRate("1.00", 1_000_000),
		SESEmails:            mustRate("0.10", 1000),
		LogsIngestion:        logTiers("0.57", "0.285", "0.114", "0.057"),
		XRayTracesRecorded:   mustRate("5.00", 1_000_000),
		XRayTracesRetrieved:  mustRate("0.50", 1_000_000),
		RDSPostgresT4gMicro:  mustRate("0.017", 1),
		RDSPostgresT4gMedium: mustRate("0.072", 1),
		RDSStorage:           mustRate("0.127", 1),
		RDSProxy:             mustRate("0.0165", 1),
		CacheT4gMicro:        mustRate("0.018", 1),
		CacheT4gSmall:        mustRate("0.036", 1),
		VPCEndpointHours:     mustRate("0.011", 1),
		VPCEndpointData:      endpointDataTiers("0.01", "0.006", "0.004"),
		NATGatewayHours:      mustRate("0.048", 1),
		NATGatewayData:       mustRate("0.048", BytesPerGB),
		SecretsMonths:        mustRate("0.40", 1),
		SecretsAPICalls:      mustRate("0.05", 10_000),
		CloudWatchAlarms:     mustRate("0.10", 1),
		CloudWatchMetrics:    metricTiers(),
		CloudWatchDashboards: mustRate("3.00", 1),
		LogsStorage:          mustRate("0.03", 1),
		KMSKeys:              mustRate("1.00", 1),
		WAFWebACLs:           mustRate("5.00", 1),
		WAFRules:             mustRate("1.00", 1),
		Cites: map[string]Cite{
			"LambdaRequests": sure(pageLambda, readDec7, same+"Also "+offerCopy+"EU-Request: $0.0000002."),
			"LambdaComputeX86": sure(pageLambda, readDec7,
				same+"Also "+offerCopy+"EU-Lambda-GB-Second: the same three tiers."),
			"LambdaComputeARM64": sure(pageLambda, readDec7,
				same+"Also "+offerCopy+"EU-Lambda-GB-Second-ARM: the same three tiers."),
			"HTTPRequests": unsure(pageAPIGateway,
				offerCopy+"EU-ApiGatewayHttpRequest (publication 2026-09-21): $1.11 per million for the first 300 million a month, $1.00 after. Not read off the page's Europe (Ireland) tab."),
			"WebSocketMessages": unsure(pageAPIGateway,
				"$1.14 per million for the first billion a month, $0.94 after, as AWS has published them for Europe (Ireland); not found in any source consulted here (the offer-file copy has no WebSocket usage types). Check the page."),
			"WebSocketMinutes": unsure(pageAPIGateway,
				"$0.285 per million connection minutes, as AWS has published it for Europe (Ireland); a cost blog (stormit.cloud) gives $0.25 under an Ireland heading, which may be the us-east-1 figure. Check the page."),
			"SQSRequests": sure(pageSQS, readDec7,
				same+"Also "+offerCopy+"EU-Requests-Tier1: $0.40 per million to 100 billion a month."),
			"EventBridgeEvents": sure(pageEventBridge, readNov1, same),
			"SESEmails":         sure(pageSES, readNov1, same),
			"LogsIngestion": unsure(pageCloudWatch,
				"First tier $0.57/GB is eu-west-1's Standard-class ingestion (also "+offerCopy+"EU-DataProcessing-Bytes). The vended-log tiers after 10 TB ($0.285, $0.114, $0.057) are taken at us-east-1's ratios (½, ⅕, ⅒ of the first) and were not found for eu-west-1."),
			"XRayTracesRecorded": unsure(pageXRay,
				"$5.00 per million traces recorded, the same as us-east-1 as far as known; the page was not reachable from here and no copy was found."),
			"XRayTracesRetrieved": unsure(pageXRay,
				"$0.50 per million traces retrieved or scanned, the same as us-east-1 as far as known; the page was not reachable from here and no copy was found."),
			"RDSPostgresT4gMicro": unsure(pageRDS,
				"db.t4g.micro Single-AZ: $0.017, what a published eu-west-1 bill for July 2026 (PostgreSQL, on demand) works out to: $10.09 for 593 instance-hours; a second published eu-west-1 bill gives $0.0170 too. 2026-11-01's reading of $0.018 did not come from the page's table either (us-east-1: $0.016)."),
			"RDSPostgresT4gMedium": {Source: pageRDS, Read: readNov1, Unsure: true,
				Note: "db.t4g.medium Single-AZ, $0.072 as read for EU (Ireland) on 2026-11-01 from what could be consulted, not the page's own table (us-east-1: $0.065). Probably high: that reading also gave db.t4g.micro $0.018, where bills show $0.017. No eu-west-1 page figure for db.t4g.medium was found on 2026-12-07; a published eu-west-1 Cost Explorer table for May 2026 shows EU-InstanceUsage:db.t4g.medium at $132.06 for 1,914 hours ($0.069 an hour), but the same table shows reserved-instance coverage on other lines, so it does not settle the on-demand price."},
			"RDSStorage": unsure(pageRDS,
				"General Purpose Single-AZ, $0.127 per GB-month as read on 2026-11-01 (us-east-1: $0.115); a published eu-west-1 bill for July 2026 agrees: EU-RDS:GP3-Storage $2.54 for 20 GB. Not read off the page's own table."),
			"RDSProxy": {Source: pageRDSProxy, Read: readNov1, Unsure: true,
				Note: "$0.0165 per vCPU-hour as read for EU (Ireland) on 2026-11-01, not from the page's own table (us-east-1: $0.015)."},
			"CacheT4gMicro": {Source: pageElastiCache, Read: readNov1, Unsure: true,
				Note: "cache.t4g.micro, $0.018 as read for EU (Ireland) on 2026-11-01, not from the page's own table (us-east-1: $0.016)."},
			"CacheT4gSmall": {Source: pageElastiCache, Read: readNov1, Unsure: true,
				Note: "cache.t4g.small, $0.036 as read for EU (Ireland) on 2026-11-01, not from the page's own table (us-east-1: $0.032)."},
			"VPCEndpointHours": unsure(pagePrivateLink,
				"$0.011 per endpoint per AZ-hour as read on 2026-11-01 (us-east-1: $0.01). A published eu-west-1 bill for May 2026 (EU-VpcEndpoint-Hours $352.42 for 34,824 hours) is $0.011 less the 8% discount its NAT lines show too. Not read off the page's own table."),
			"VPCEndpointData": unsure(pagePrivateLink,
				"$0.01/GB for the first PB as read on 2026-11-01; $0.006 next 4 PB and $0.004 over 5 PB assumed the same as us-east-1, not checked."),
			"NATGatewayHours": unsure(pageVPC,
				"$0.048 per NAT gateway-hour: an excerpt of the AmazonEC2 offer file for eu-west-1 (publication 2026-09-25, copied 2026-10-02) lists EU-NatGateway-Hours at $0.048; a published eu-west-1 bill for May 2026 is $0.048 less an 8% discount. The page was not reachable."),
			"NATGatewayData": unsure(pageVPC,
				"$0.048 per GB processed: the same offer-file excerpt lists EU-NatGateway-Bytes at $0.048; the same bill agrees. The page was not reachable."),
			"SecretsMonths":   sure(pageSecrets, readNov1, "$0.40 per secret per month, the same in every commercial region."),
			"SecretsAPICalls": sure(pageSecrets, readNov1, "$0.05 per 10,000 API calls, the same in every commercial region."),
			"CloudWatchAlarms": sure(pageCloudWatch, readNov1,
				"Standard resolution, EU (Ireland); also "+offerCopy+"EU-CW:AlarmMonitorUsage: $0.10."),
			"CloudWatchMetrics": unsure(pageCloudWatch,
				"Taken as us-east-1's tiers ($0.30, $0.10, $0.05, $0.02); not found for eu-west-1 in any source consulted here."),
			"CloudWatchDashboards": sure(pageCloudWatch, readNov1, "Per custom dashboard-month, EU (Ireland)."),
			"LogsStorage": unsure(pageCloudWatch,
				offerCopy+"EU-TimedStorage-ByteHrs: $0.03 per GB-month. Not read off the page."),
			"KMSKeys": unsure(pageKMS,
				"$1.00 per customer managed key-month in every commercial region, as secondary sources (cloudburn.io, March 2026; wring.co) state it; rotations add $1 a month for each of the first two (not counted). The page was not reachable."),
			"WAFWebACLs": unsure(pageWAF,
				"$5.00 per web ACL-month, the same in every region as secondary sources (c3x.dev, awsnegotiations.com, 2026) state it; the stage's web ACL is CloudFront's (us-east-1). The page was not reachable."),
			"WAFRules": unsure(pageWAF,
				"$1.00 per rule-month, a managed rule group counting as one rule (c3x.dev, 2026); the page was not reachable."),
		},
	})
}
