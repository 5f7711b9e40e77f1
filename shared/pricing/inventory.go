package pricing

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
)

// The always-on resources of each stage, as the synthesized stack
// declares them: infra/ reads them off the stage's CloudFormation
// templates and writes inventory/<stage>.json; an infra test fails when
// the committed file differs from what the stack synthesizes now. Fixed
// prices these counts, so the fixed cost follows the stack, not a list
// kept by hand.
//
// Regenerate after changing infra/ (the synth takes a few seconds once
// the CDK is compiled):
//
//go:generate sh -c "cd ../../infra && go test -run TestFixedInventoryMatchesTheStack -update ."

//go:embed inventory/*.json
var inventoryFiles embed.FS

// Inventory is one stage's always-on resources, counted from its
// synthesized templates (the stage's stack and its edge and cost stacks).
type Inventory struct {
	Stage string `json:"stage"`
	// Database is the RDS instance; nil when the stage has none.
	Database *DatabaseInventory `json:"database,omitempty"`
	// Proxy is true when an RDS Proxy fronts the database.
	Proxy bool `json:"proxy"`
	// Cache is the ElastiCache replication group; nil when none.
	Cache *CacheInventory `json:"cache,omitempty"`
	// InterfaceEndpoints are the VPC interface endpoints (gateway
	// endpoints are free), each with the AZs (subnets) it is in.
	InterfaceEndpoints []EndpointInventory `json:"interface_endpoints"`
	// NATGateways is how many NAT gateways the VPC runs.
	NATGateways int `json:"nat_gateways"`
	// Secrets is how many Secrets Manager secrets the stack creates.
	Secrets int `json:"secrets"`
	// AlarmMetrics is how many metrics the stack's alarms watch at
	// standard resolution (a metric-math alarm counts each metric it
	// reads, as CloudWatch bills); HighResolutionAlarmMetrics at periods
	// under a minute.
	AlarmMetrics               int `json:"alarm_metrics"`
	HighResolutionAlarmMetrics int `json:"high_resolution_alarm_metrics"`
	// Dashboards is how many CloudWatch dashboards the stack creates.
	Dashboards int `json:"dashboards"`
	// CustomMetrics are the custom metrics (namespace not AWS/) the
	// template names, as namespace/name{dimensions}: those its alarms
	// watch. Metrics the functions emit (EMF) without an alarm are not in
	// the template and not counted.
	CustomMetrics []string `json:"custom_metrics"`
	// KMSKeys is how many customer managed KMS keys the stack creates.
	KMSKeys int `json:"kms_keys"`
	// WebACLs are the AWS WAF web ACLs (the edge stack's), each with its
	// rules.
	WebACLs []WebACLInventory `json:"web_acls"`
	// LogGroups are the CloudWatch log groups the stack creates or sets
	// the retention of, with their retention in days (0: kept forever).
	LogGroups []LogGroupInventory `json:"log_groups"`
}

// DatabaseInventory is an RDS instance as the template declares it.
type DatabaseInventory struct {
	Engine        string `json:"engine"`
	InstanceClass string `json:"instance_class"`
	StorageType   string `json:"storage_type"`
	AllocatedGB   int    `json:"allocated_gb"`
	MultiAZ       bool   `json:"multi_az"`
}

// CacheInventory is an ElastiCache replication group: Nodes of NodeType.
type CacheInventory struct {
	NodeType string `json:"node_type"`
	Nodes    int    `json:"nodes"`
}

// EndpointInventory is one interface endpoint: the AWS service it
// reaches (the last part of its service name, e.g. "sqs") and its AZs.
type EndpointInventory struct {
	Service string `json:"service"`
	AZs     int    `json:"azs"`
}

// WebACLInventory is one web ACL and how many rules it has (a managed
// rule group is one).
type WebACLInventory struct {
	Name  string `json:"name"`
	Rules int    `json:"rules"`
}

// LogGroupInventory is one log group, named by its logical id or name.
type LogGroupInventory struct {
	Name          string `json:"name"`
	RetentionDays int    `json:"retention_days"`
}

// InventoryOf is the committed inventory of stage.
func InventoryOf(stage string) (Inventory, error) {
	if !slices.Contains(Stages(), stage) {
		return Inventory{}, fmt.Errorf("%w %q (known: %s, %s)", ErrUnknownStage, stage, StageStaging, StageProd)
	}
	raw, err := inventoryFiles.ReadFile("inventory/" + stage + ".json")
	if err != nil {
		return Inventory{}, fmt.Errorf("pricing: inventory of %s: %w", stage, err)
	}
	var inv Inventory
	if err := json.Unmarshal(raw, &inv); err != nil {
		return Inventory{}, fmt.Errorf("pricing: inventory of %s: %w", stage, err)
	}
	if inv.Stage != stage {
		return Inventory{}, fmt.Errorf("pricing: inventory/%s.json is stage %q's", stage, inv.Stage)
	}
	return inv, nil
}

// MarshalInventory is inv as the committed file holds it: indented JSON
// and a final newline, so a regenerated file diffs line by line.
func MarshalInventory(inv Inventory) ([]byte, error) {
	b, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pricing: inventory of %s: %w", inv.Stage, err)
	}
	return append(b, '\n'), nil
}
