// Package localstack holds the checks of the LocalStack stage's
// compose file, local/docker-compose.yml: where Docker runs, `make
// localstack-up` starts it and `make localstack-deploy` deploys the CDK
// app's localstack stage into it. Where Docker does not run (this
// project's CI), the tests here still parse the file and hold it to the
// rules: pinned images, a health check and a named volume per stateful
// service, ports on loopback, and the service names the stage's
// functions are configured with.
package localstack
