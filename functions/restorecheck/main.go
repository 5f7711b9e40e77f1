// Command restorecheck is the Lambda behind AWS Backup's restore
// testing: on each completed restore of the database it checks the
// restored instance and reports the result and the recovery time.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/jackc/pgx/v5"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/restorecheck"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "restorecheck", "DATABASE_URL")
	aws, err := bootstrap.AWSConfig(cfg.AWSEndpoint != "")
	bootstrap.Fatal(log, "restorecheck", err)
	c := &restorecheck.Checker{
		Connect: func(ctx context.Context, arn string) (restorecheck.DB, error) {
			url, err := restorecheck.RestoredURL(cfg.DatabaseURL, arn)
			if err != nil {
				return nil, err
			}
			cc, err := pgx.ParseConfig(url)
			if err != nil {
				return nil, err
			}
			if roots, err := bootstrap.RootCAs(url); err != nil {
				return nil, err
			} else if roots != nil && cc.TLSConfig != nil {
				cc.TLSConfig.RootCAs = roots
			}
			return pgx.ConnectConfig(ctx, cc)
		},
		Backup: restorecheck.NewBackup(aws, cfg.AWSEndpoint),
		Out:    os.Stdout,
		Log:    log,
	}
	lambda.Start(c.Handle)
}
