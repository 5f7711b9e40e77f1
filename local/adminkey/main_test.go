package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// fakeLambda answers one invocation and keeps what it was sent.
type fakeLambda struct {
	in      *lambda.InvokeInput
	payload string
	fnErr   string
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.in = in
	out := &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(f.payload)}
	if f.fnErr != "" {
		out.FunctionError = aws.String(f.fnErr)
	}
	return out, nil
}

func TestAdminKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		fake    fakeLambda
		event   string
		stdout  string
		wantErr string
	}{
		{"made", []string{"-stage", "staging", "-name", "ops"},
			fakeLambda{payload: `{"api_key":{"id":1,"public_id":"abc","name":"ops","role":"admin"},"secret":"ink_admin_abc_s3cret","forced":false}`},
			`{"admin_key":{"name":"ops"}}`, "ink_admin_abc_s3cret\n", ""},
		{"forced", []string{"-stage", "prod", "-name", "glass", "-force"},
			fakeLambda{payload: `{"api_key":{"id":7,"public_id":"xyz","name":"glass","role":"admin"},"secret":"ink_admin_xyz_s3cret","forced":true}`},
			`{"admin_key":{"name":"glass","force":true}}`, "ink_admin_xyz_s3cret\n", ""},
		{"refused", []string{"-stage", "staging", "-name", "ops"},
			fakeLambda{payload: `{"errorMessage":"admin key: this stage has a live admin key already; … (FORCE=1)","errorType":"errorString"}`, fnErr: "Unhandled"},
			`{"admin_key":{"name":"ops"}}`, "", "FORCE=1"},
		{"no name", []string{"-stage", "staging"}, fakeLambda{}, "", "", "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, info bytes.Buffer
			fake := tc.fake
			err := run(tc.args, &out, &info, &fake)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || out.Len() != 0 {
					t.Fatalf("err %v, stdout %q; want %q and nothing printed", err, out.String(), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.stdout || strings.Contains(info.String(), "s3cret") {
				t.Fatalf("stdout %q (want the secret alone), stderr %q (must not hold it)", out.String(), info.String())
			}
			if got := aws.ToString(fake.in.FunctionName) + ":" + aws.ToString(fake.in.Qualifier); got != "innkeeper-"+tc.args[1]+"-migrate:live" {
				t.Errorf("invoked %s", got)
			}
			if string(fake.in.Payload) != tc.event {
				t.Errorf("event %s, want %s", fake.in.Payload, tc.event)
			}
		})
	}
}
