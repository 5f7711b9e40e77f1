package main

import (
	"slices"
	"strings"
	"testing"
)

// TestOnlyTheSchedulerReadsTheBill: the scheduler is told where the CUR
// 2.0 export is and may list that prefix (only) and read its objects;
// no other function may touch the bucket.
func TestOnlyTheSchedulerReadsTheBill(t *testing.T) {
	for _, stage := range StageNames() {
		for name, fn := range ours(t, stage) {
			vars, _ := props(fn)["Environment"].(map[string]any)["Variables"].(map[string]any)
			granted := roleActions(t, stage, fn)
			reads := slices.Contains(granted, "s3:GetObject") || slices.Contains(granted, "s3:ListBucket")
			if name != "scheduler" {
				if reads || vars["CUR_S3_URI"] != nil {
					t.Errorf("%s/%s may read the bill", stage, name)
				}
				continue
			}
			if vars["CUR_S3_URI"] != testCURExport || vars["COST_STAGE"] != stage {
				t.Errorf("%s/scheduler: CUR_S3_URI %v, COST_STAGE %v", stage, vars["CUR_S3_URI"], vars["COST_STAGE"])
			}
			if !reads {
				t.Errorf("%s/scheduler cannot read the bill: %v", stage, granted)
			}
		}
		var list, get string
		for _, pol := range resources(t, stage, "AWS::IAM::Policy") {
			for _, st := range props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				s := st.(map[string]any)
				switch s["Sid"] {
				case "ListTheBillExport":
					list = mustJSON(s)
				case "ReadTheBillExport":
					get = mustJSON(s)
				}
			}
		}
		if !strings.Contains(list, `"s3:prefix":["cur/innkeeper-cur/*"]`) || !strings.Contains(list, `s3:::innkeeper-billing"`) {
			t.Errorf("%s: the list grant is not held to the export's prefix: %s", stage, list)
		}
		if !strings.Contains(get, `s3:::innkeeper-billing/cur/innkeeper-cur/*"`) {
			t.Errorf("%s: the read grant is not held to the export's prefix: %s", stage, get)
		}
	}
}
