package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

// The fixed-cost inventory: what a stage keeps running whatever its
// traffic, counted off its synthesized templates (shared/pricing prices
// it; TestFixedInventoryMatchesTheStack keeps the committed copy in step).

// FixedInventory counts the always-on resources of stage in its
// templates (the stage's stack, and its edge and cost stacks if any),
// given as CloudFormation JSON.
func FixedInventory(stage string, m topology.Manifest, templates ...map[string]any) (pricing.Inventory, error) {
	inv := pricing.Inventory{
		Stage: stage, InterfaceEndpoints: []pricing.EndpointInventory{},
		CustomMetrics: []string{}, LogGroups: []pricing.LogGroupInventory{}, WebACLs: []pricing.WebACLInventory{},
	}
	custom := map[string]bool{}
	for _, tpl := range templates {
		res, _ := tpl["Resources"].(map[string]any)
		for _, id := range sortedKeys(res) {
			r, _ := res[id].(map[string]any)
			p, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::RDS::DBInstance":
				if inv.Database != nil {
					return inv, fmt.Errorf("inventory %s: a second database %s; price it before adding it", stage, id)
				}
				gb, err := strconv.Atoi(fmt.Sprint(p["AllocatedStorage"]))
				if err != nil {
					return inv, fmt.Errorf("inventory %s: database %s storage %v: %w", stage, id, p["AllocatedStorage"], err)
				}
				multi, _ := p["MultiAZ"].(bool)
				inv.Database = &pricing.DatabaseInventory{
					Engine: str(p["Engine"]), InstanceClass: str(p["DBInstanceClass"]),
					StorageType: str(p["StorageType"]), AllocatedGB: gb, MultiAZ: multi,
				}
			case "AWS::RDS::DBProxy":
				inv.Proxy = true
			case "AWS::ElastiCache::ReplicationGroup":
				if inv.Cache != nil {
					return inv, fmt.Errorf("inventory %s: a second cache %s; price it before adding it", stage, id)
				}
				nodes, err := strconv.Atoi(fmt.Sprint(p["NumCacheClusters"]))
				if err != nil {
					return inv, fmt.Errorf("inventory %s: cache %s nodes %v: %w", stage, id, p["NumCacheClusters"], err)
				}
				inv.Cache = &pricing.CacheInventory{NodeType: str(p["CacheNodeType"]), Nodes: nodes}
			case "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ServerlessCache", "AWS::RDS::DBCluster":
				return inv, fmt.Errorf("inventory %s: %s is a %s, which the inventory does not count yet", stage, id, r["Type"])
			case "AWS::EC2::VPCEndpoint":
				if str(p["VpcEndpointType"]) != "Interface" {
					continue // gateway endpoints (S3, DynamoDB) are free
				}
				subnets, _ := p["SubnetIds"].([]any)
				inv.InterfaceEndpoints = append(inv.InterfaceEndpoints, pricing.EndpointInventory{
					Service: endpointService(p["ServiceName"]), AZs: len(subnets),
				})
			case "AWS::EC2::NatGateway":
				inv.NATGateways++
			case "AWS::SecretsManager::Secret":
				inv.Secrets++
			case "AWS::KMS::Key":
				inv.KMSKeys++
			case "AWS::WAFv2::WebACL":
				rules, _ := p["Rules"].([]any)
				inv.WebACLs = append(inv.WebACLs, pricing.WebACLInventory{Name: id, Rules: len(rules)})
			case "AWS::CloudWatch::Dashboard":
				inv.Dashboards++
			case "AWS::CloudWatch::Alarm":
				std, high := alarmMetrics(p, m.Functions, custom)
				inv.AlarmMetrics += std
				inv.HighResolutionAlarmMetrics += high
			case "AWS::Logs::LogGroup", "Custom::LogRetention":
				name := id
				if n, ok := p["LogGroupName"].(string); ok {
					name = n
				}
				days, _ := strconv.Atoi(fmt.Sprint(p["RetentionInDays"]))
				inv.LogGroups = append(inv.LogGroups, pricing.LogGroupInventory{Name: name, RetentionDays: days})
			}
		}
	}
	slices.SortFunc(inv.InterfaceEndpoints, func(a, b pricing.EndpointInventory) int { return strings.Compare(a.Service, b.Service) })
	slices.SortFunc(inv.LogGroups, func(a, b pricing.LogGroupInventory) int { return strings.Compare(a.Name, b.Name) })
	inv.CustomMetrics = slices.Sorted(func(yield func(string) bool) {
		for k := range custom {
			if !yield(k) {
				return
			}
		}
	})
	return inv, nil
}

// alarmMetrics is how many metrics an alarm watches at standard and at
// high resolution, as CloudWatch bills alarms (per metric): a plain
// alarm one; a metric-math alarm each metric it reads (the expressions
// are free); a Metrics Insights query (SELECT … GROUP BY or SCHEMA with
// a Function dimension) one per function of the manifest, each of which
// reports the metric. Custom metrics (namespace not AWS/) are added to
// custom by name.
func alarmMetrics(p map[string]any, functions []topology.Function, custom map[string]bool) (std, high int) {
	count := func(period any, n int) {
		if sec, err := strconv.Atoi(fmt.Sprint(period)); err == nil && sec < 60 {
			high += n
			return
		}
		std += n
	}
	metrics, _ := p["Metrics"].([]any)
	if len(metrics) == 0 {
		addCustom(custom, str(p["Namespace"]), str(p["MetricName"]), p["Dimensions"])
		count(p["Period"], 1)
		return std, high
	}
	for _, q := range metrics {
		q, _ := q.(map[string]any)
		if stat, ok := q["MetricStat"].(map[string]any); ok {
			metric, _ := stat["Metric"].(map[string]any)
			addCustom(custom, str(metric["Namespace"]), str(metric["MetricName"]), metric["Dimensions"])
			count(stat["Period"], 1)
			continue
		}
		expr := str(q["Expression"])
		if sm := insightsQuery.FindStringSubmatch(expr); sm != nil {
			// One series per function: the dimension is Function.
			for _, f := range functions {
				custom[sm[2]+"/"+sm[1]+"{"+sm[3]+"="+f.Name+"}"] = true
			}
			count(q["Period"], len(functions))
		}
	}
	return std, high
}

// insightsQuery matches a Metrics Insights query over a custom
// namespace grouped by the function: its metric, namespace and dimension.
var insightsQuery = regexp.MustCompile(`^SELECT \w+\((\w+)\) FROM SCHEMA\("([^"]+)", (Function)\)`)

// addCustom notes a custom metric by namespace, name and dimensions.
func addCustom(custom map[string]bool, ns, name string, dims any) {
	if ns == "" || strings.HasPrefix(ns, "AWS/") {
		return
	}
	var parts []string
	list, _ := dims.([]any)
	for _, d := range list {
		d, _ := d.(map[string]any)
		v := str(d["Value"])
		if v == "" {
			b, _ := json.Marshal(d["Value"])
			v = string(b)
		}
		parts = append(parts, str(d["Name"])+"="+v)
	}
	slices.Sort(parts)
	custom[ns+"/"+name+"{"+strings.Join(parts, ",")+"}"] = true
}

// endpointService is the service an endpoint reaches: the last dotted
// part of its service name (com.amazonaws.<region>.sqs → sqs), which
// the CDK writes as a string or a join with the region.
func endpointService(name any) string {
	s := str(name)
	if s == "" {
		b, _ := json.Marshal(name)
		s = strings.Trim(string(b), `"]}`)
	}
	return s[strings.LastIndex(s, ".")+1:]
}

// str is v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// sortedKeys is m's keys in order, so the inventory does not depend on
// map order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
