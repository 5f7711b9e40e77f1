// Command probe is a Lambda function for the sandbox's tests: what it does
// is chosen by its event, so one binary can succeed, fail, crash, hang and
// report what the platform told it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	SleepMS int    `json:"sleep_ms"`
	Error   string `json:"error"`
	Exit    int    `json:"exit"`
	Panic   bool   `json:"panic"`
	AllocMB int    `json:"alloc_mb"`
}

type answer struct {
	RequestID   string            `json:"request_id"`
	FunctionARN string            `json:"function_arn"`
	DeadlineMS  int64             `json:"deadline_in_ms"`
	PID         int               `json:"pid"`
	Env         map[string]string `json:"env"`
}

var keep [][]byte

// handle takes its instructions from the event, or from the body of an
// API Gateway event that carries them.
func handle(ctx context.Context, raw json.RawMessage) (answer, error) {
	var e event
	var gw struct {
		Version string `json:"version"`
		Body    string `json:"body"`
	}
	if json.Unmarshal(raw, &gw) == nil && gw.Version == "2.0" {
		raw = json.RawMessage(gw.Body)
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &e); err != nil {
			return answer{}, err
		}
	}
	if e.AllocMB > 0 {
		b := make([]byte, e.AllocMB<<20)
		for i := range b {
			b[i] = byte(i)
		}
		keep = append(keep, b)
	}
	if e.SleepMS > 0 {
		time.Sleep(time.Duration(e.SleepMS) * time.Millisecond)
	}
	if e.Exit != 0 {
		os.Exit(e.Exit)
	}
	if e.Panic {
		panic("probe panics")
	}
	if e.Error != "" {
		return answer{}, errors.New(e.Error)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	a := answer{PID: os.Getpid(), DeadlineMS: time.Until(dl).Milliseconds(), Env: map[string]string{}}
	if lc != nil {
		a.RequestID, a.FunctionARN = lc.AwsRequestID, lc.InvokedFunctionArn
	}
	for _, k := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
		"AWS_LAMBDA_LOG_GROUP_NAME", "_X_AMZN_TRACE_ID", "PROBE_SETTING", "HOME", "TZ"} {
		a.Env[k] = os.Getenv(k)
	}
	return a, nil
}

func main() {
	if os.Getenv("PROBE_FAIL_INIT") != "" {
		os.Exit(4)
	}
	if msg := os.Getenv("PROBE_INIT_ERROR"); msg != "" {
		// What a custom runtime does when its init fails: report it to the
		// Runtime API, then exit.
		body, _ := json.Marshal(map[string]string{"errorType": "Probe.InitFailed", "errorMessage": msg})
		req, _ := http.NewRequest("POST", "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Probe.InitFailed")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}
