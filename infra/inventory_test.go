package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

var update = flag.Bool("update", false, "rewrite shared/pricing/inventory/<stage>.json from the synthesized stacks")

// inventoryFile is where shared/pricing embeds a stage's inventory from.
func inventoryFile(stage string) string {
	return filepath.Join("..", "shared", "pricing", "inventory", stage+".json")
}

// templatesOf is a stage's templates: its stack, then its edge and cost
// stacks when it has them.
func templatesOf(stage string) []map[string]any {
	out := []map[string]any{stacks[stage].template}
	for _, extra := range []string{stage + "-edge", stage + "-cost"} {
		if s, ok := stacks[extra]; ok {
			out = append(out, s.template)
		}
	}
	return out
}

// The committed inventory is what the stack synthesizes now: a change to
// infra/ that adds, removes or resizes an always-on resource changes the
// fixed cost only with the inventory regenerated beside it.
func TestFixedInventoryMatchesTheStack(t *testing.T) {
	for _, stage := range pricing.Stages() {
		t.Run(stage, func(t *testing.T) {
			inv, err := FixedInventory(stage, topology.Innkeeper, templatesOf(stage)...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pricing.MarshalInventory(inv)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(inventoryFile(stage), got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(inventoryFile(stage))
			if err != nil {
				t.Fatalf("%v; regenerate with: go generate ./shared/pricing", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("shared/pricing/inventory/%s.json is not what the stack synthesizes; regenerate it with "+
					"`go generate ./shared/pricing` (or `make inventory`) and commit it.\nsynthesized:\n%s", stage, got)
			}
		})
	}
}

// The counts are those of the stages as infra/stage.go sizes them.
func TestFixedInventoryCountsTheStage(t *testing.T) {
	for _, stage := range pricing.Stages() {
		t.Run(stage, func(t *testing.T) {
			st := Stages[stage]
			inv, err := FixedInventory(stage, topology.Innkeeper, templatesOf(stage)...)
			if err != nil {
				t.Fatal(err)
			}
			db := inv.Database
			if db == nil || db.InstanceClass != "db."+st.DBInstanceClass || db.AllocatedGB != st.DBAllocatedGB || db.MultiAZ != st.MultiAZ || db.Engine != "postgres" {
				t.Errorf("database %+v, want db.%s %d GB Multi-AZ %v", db, st.DBInstanceClass, st.DBAllocatedGB, st.MultiAZ)
			}
			if c := inv.Cache; c == nil || c.NodeType != st.CacheNodeType || c.Nodes != 1+st.CacheReplicas {
				t.Errorf("cache %+v, want %s × %d", c, st.CacheNodeType, 1+st.CacheReplicas)
			}
			if !inv.Proxy || inv.NATGateways != st.NatGateways {
				t.Errorf("proxy %v, NAT %d (want %d)", inv.Proxy, inv.NATGateways, st.NatGateways)
			}
			var services []string
			for _, e := range inv.InterfaceEndpoints {
				services = append(services, e.Service)
				if e.AZs != 2 {
					t.Errorf("endpoint %s in %d AZs, want 2", e.Service, e.AZs)
				}
			}
			if strings.Join(services, ",") != "backup,email,execute-api,secretsmanager,sqs" {
				t.Errorf("interface endpoints %v", services)
			}
			if got := len(resources(t, stage, "AWS::CloudWatch::Alarm")); inv.AlarmMetrics < got {
				t.Errorf("%d alarm metrics for %d alarms", inv.AlarmMetrics, got)
			}
			if inv.Secrets != len(resources(t, stage, "AWS::SecretsManager::Secret")) || inv.Dashboards != 1 {
				t.Errorf("%d secrets, %d dashboards", inv.Secrets, inv.Dashboards)
			}
			if inv.KMSKeys != len(resources(t, stage, "AWS::KMS::Key")) || inv.KMSKeys == 0 {
				t.Errorf("%d KMS keys", inv.KMSKeys)
			}
			if wantACLs := map[bool]int{true: 1}[st.Edge]; len(inv.WebACLs) != wantACLs || (wantACLs == 1 && inv.WebACLs[0].Rules != 4) {
				t.Errorf("web ACLs %+v, want %d (rate rule, two managed groups, body size)", inv.WebACLs, wantACLs)
			}
			for _, lg := range inv.LogGroups {
				if lg.RetentionDays != st.LogRetentionDays {
					t.Errorf("log group %s keeps %d days, want %d", lg.Name, lg.RetentionDays, st.LogRetentionDays)
				}
			}
			if len(inv.LogGroups) < len(topology.Innkeeper.Functions) {
				t.Errorf("%d log groups for %d functions", len(inv.LogGroups), len(topology.Innkeeper.Functions))
			}
		})
	}
}

// A NAT gateway, a high-resolution alarm and a second database are seen.
func TestFixedInventoryReadsWhatItPrices(t *testing.T) {
	tpl := map[string]any{"Resources": map[string]any{
		"Nat1": map[string]any{"Type": "AWS::EC2::NatGateway"},
		"Nat2": map[string]any{"Type": "AWS::EC2::NatGateway"},
		"Fast": map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{
			"Namespace": "Innkeeper/X", "MetricName": "Y", "Period": 10}},
		"Math": map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"Metrics": []any{
			map[string]any{"Id": "e", "Expression": "a + b"},
			map[string]any{"Id": "a", "MetricStat": map[string]any{"Period": 60, "Metric": map[string]any{"Namespace": "AWS/Lambda", "MetricName": "Errors"}}},
			map[string]any{"Id": "b", "MetricStat": map[string]any{"Period": 60, "Metric": map[string]any{"Namespace": "AWS/Lambda", "MetricName": "Throttles"}}},
		}}},
		"Gw": map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{"VpcEndpointType": "Gateway", "ServiceName": "com.amazonaws.eu-west-1.s3"}},
	}}
	inv, err := FixedInventory("x", topology.Manifest{}, tpl)
	if err != nil {
		t.Fatal(err)
	}
	if inv.NATGateways != 2 || inv.HighResolutionAlarmMetrics != 1 || inv.AlarmMetrics != 2 ||
		len(inv.InterfaceEndpoints) != 0 || strings.Join(inv.CustomMetrics, ",") != "Innkeeper/X/Y{}" {
		t.Fatalf("%+v", inv)
	}
	two := map[string]any{"Resources": map[string]any{
		"A": map[string]any{"Type": "AWS::RDS::DBInstance", "Properties": map[string]any{"AllocatedStorage": "20"}},
		"B": map[string]any{"Type": "AWS::RDS::DBInstance", "Properties": map[string]any{"AllocatedStorage": "20"}},
	}}
	if _, err := FixedInventory("x", topology.Manifest{}, two); err == nil {
		t.Fatal("a second database must be refused until it is priced")
	}
}
