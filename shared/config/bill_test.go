package config

import (
	"strings"
	"testing"
)

func TestBillExportSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		bad  string // the variable the error names; "" for none
	}{
		{"none", nil, ""},
		{"an S3 export", map[string]string{"CUR_S3_URI": "s3://billing/cur/innkeeper-cur", "COST_STAGE": "prod"}, ""},
		{"a folder, local stage by default", map[string]string{"CUR_DIR": "local/cur"}, ""},
		{"not an s3 URI", map[string]string{"CUR_S3_URI": "https://billing.s3.amazonaws.com/cur", "COST_STAGE": "prod"}, "CUR_S3_URI"},
		{"no bucket", map[string]string{"CUR_S3_URI": "s3:///cur", "COST_STAGE": "prod"}, "CUR_S3_URI"},
		{"both", map[string]string{"CUR_S3_URI": "s3://billing/cur", "CUR_DIR": "local/cur"}, "CUR_DIR"},
		// Without COST_STAGE the stage follows APP_ENV (prod here), so
		// the bill is read for it, never for every stage.
		{"stage from APP_ENV", map[string]string{"APP_ENV": "production", "CUR_S3_URI": "s3://billing/cur"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if tt.bad == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.CURS3URI != tt.env["CUR_S3_URI"] || c.CURDir != tt.env["CUR_DIR"] || c.CostStage == "" ||
					(tt.env["APP_ENV"] == "production" && tt.env["COST_STAGE"] == "" && c.CostStage != "prod") {
					t.Errorf("config %q %q %q", c.CURS3URI, c.CURDir, c.CostStage)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.bad+":") {
				t.Errorf("err = %v; want one naming %s", err, tt.bad)
			}
		})
	}
}
