package bootstrap

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig is the SDK configuration a Lambda function needs, read from
// the variables Lambda sets: AWS_REGION and the execution role's
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN). It does not use the SDK's config package: that
// package's search through profiles, SSO and instance metadata is for
// machines, not Lambda, and its initialisation alone cost the API a
// millisecond of every cold start. With an endpoint override (the
// devstack's emulators) and no credentials, static local ones are used.
func AWSConfig(local bool) (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "eu-west-1"
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		if !local {
			return aws.Config{}, fmt.Errorf("bootstrap: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
		}
		id, secret = "local", "local"
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}, nil
}
