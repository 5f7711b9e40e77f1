package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"innkeeper/shared/awsjson"
)

// Manager speaks Secrets Manager's JSON 1.1 protocol: this server checks
// the request as the service would and answers as it does.
func TestManager(t *testing.T) {
	tests := []struct {
		name   string
		status int
		answer string
		want   string
		// wantErr is text the error must contain; wantCode the
		// *awsjson.Error's code, if any.
		wantErr, wantCode string
	}{
		{name: "a string secret", status: 200, answer: `{"ARN":"` + appARN + `","Name":"app","SecretString":"{\"APP_KEY\":\"k\"}","VersionId":"v1"}`, want: `{"APP_KEY":"k"}`},
		{name: "a binary secret has no string", status: 200, answer: `{"ARN":"` + appARN + `","SecretBinary":"AAE="}`, want: ""},
		{name: "a missing secret", status: 400, answer: `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`,
			wantErr: "ResourceNotFoundException: Secrets Manager can't find the specified secret. (HTTP 400)", wantCode: "ResourceNotFoundException"},
		{name: "access denied", status: 400, answer: `{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","Message":"not authorized"}`,
			wantErr: "AccessDeniedException: not authorized", wantCode: "AccessDeniedException"},
		{name: "an answer that is not JSON", status: 200, answer: `<html></html>`, wantErr: "not its JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var problems []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				body, _ := io.ReadAll(r.Body)
				var in map[string]any
				if err := json.Unmarshal(body, &in); err != nil || len(in) != 1 || in["SecretId"] != appARN {
					problems = append(problems, "body "+string(body))
				}
				for h, want := range map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"} {
					if got := r.Header.Get(h); got != want {
						problems = append(problems, h+" "+got)
					}
				}
				if a := r.Header.Get("Authorization"); !strings.Contains(a, "/eu-west-1/secretsmanager/aws4_request") {
					problems = append(problems, "Authorization "+a)
				}
				if r.Method != http.MethodPost || r.URL.Path != "/" {
					problems = append(problems, r.Method+" "+r.URL.Path)
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")}
			got, err := NewManager(cfg, srv.URL).GetSecretString(context.Background(), appARN)
			mu.Lock()
			defer mu.Unlock()
			if len(problems) > 0 {
				t.Errorf("the request is not Secrets Manager's: %v", problems)
			}
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			var ae *awsjson.Error
			if tt.wantCode != "" && (!errors.As(err, &ae) || ae.Code != tt.wantCode) {
				t.Fatalf("error %v, want an *awsjson.Error with code %s", err, tt.wantCode)
			}
		})
	}
}
