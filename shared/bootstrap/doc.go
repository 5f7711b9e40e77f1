// Package bootstrap is every function's start: the configuration with
// its secrets resolved from Secrets Manager (Config), checked and logged
// (Function, Fatal), the AWS credentials Lambda gives (AWSConfig) and the
// PostgreSQL store (Store). It links only what every function needs.
//
// What only some functions need is wired in the subpackages, so each
// binary links its own job and no more: apiserver (the HTTP API with its
// Redis, rate limiter, queue relay and health gauges), apigw (API
// Gateway's events to an http.Handler), jobrunner (the scheduled jobs),
// push (WebSocket pushes), scrape (GET /metrics) and sqsclient (the
// events queue's client, package sqsjson rather than the SDK's, and the
// outbox relay). A test (deps_test.go) holds the functions to it. Warm
// invocations reuse the pools and clients these make once per process.
package bootstrap
