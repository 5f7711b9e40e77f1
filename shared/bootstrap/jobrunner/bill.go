package jobrunner

import (
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/cur"
	"innkeeper/shared/jobs"
)

// App is the value of the cost-allocation tag "app" infra puts on every
// resource of the stack.
const App = "innkeeper"

// BillExport is where reconcile-bill reads the stage's bill: the CUR 2.0
// export's S3 prefix (CUR_S3_URI), a folder (CUR_DIR), or nothing.
func BillExport(cfg config.Config) (jobs.BillExport, error) {
	out := jobs.BillExport{Filter: cur.Filter{App: App, Stage: cfg.CostStage}}
	switch {
	case cfg.CURS3URI != "":
		bucket, prefix, err := cur.ParseS3URI(cfg.CURS3URI)
		if err != nil {
			return out, err
		}
		awsCfg, err := bootstrap.AWSConfig(cfg.AWSEndpoint != "")
		if err != nil {
			return out, err
		}
		client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			if cfg.AWSEndpoint != "" {
				o.BaseEndpoint, o.UsePathStyle = &cfg.AWSEndpoint, true
			}
		})
		out.Source = cur.S3{Client: client, Bucket: bucket, Prefix: prefix}
	case cfg.CURDir != "":
		out.Source = cur.Dir(cfg.CURDir)
	}
	return out, nil
}
