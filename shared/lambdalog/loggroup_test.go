package lambdalog

import (
	"reflect"
	"testing"
)

func TestFunctionFromLogGroup(t *testing.T) {
	known := []string{"api", "migrate", "worker", "scheduler", "ws"}
	tests := []struct {
		name   string
		group  string
		known  []string
		want   string
		wantOK bool
	}{
		{"stack and name", "/aws/lambda/innkeeper-staging-api", known, "api", true},
		{"generated suffix", "/aws/lambda/innkeeper-staging-api-1A2B3C4D", known, "api", true},
		{"another stage", "/aws/lambda/innkeeper-prod-ws", known, "ws", true},
		{"case", "/aws/lambda/Innkeeper-Staging-Worker", known, "worker", true},
		{"the last match wins", "/aws/lambda/innkeeper-api-scheduler", known, "scheduler", true},
		{"bare name", "/aws/lambda/migrate", known, "migrate", true},
		{"a multi-part name", "/aws/lambda/innkeeper-staging-expire-holds", []string{"holds", "expire-holds"}, "expire-holds", true},
		{"only part of a word", "/aws/lambda/innkeeper-staging-apis", known, "", false},
		{"not a Lambda log group", "/aws/apigateway/innkeeper-staging-api", known, "", false},
		{"nothing after the prefix", "/aws/lambda/", known, "", false},
		{"no known names", "/aws/lambda/innkeeper-staging-api", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FunctionFromLogGroup(tt.group, tt.known)
			if !reflect.DeepEqual(got, tt.want) || ok != tt.wantOK {
				t.Errorf("FunctionFromLogGroup(%q) = %q, %v; want %q, %v", tt.group, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
