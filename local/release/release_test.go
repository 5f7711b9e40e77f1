package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// fakeLambda stands in for the Lambda API at the network boundary:
// versions by function, aliases, and the updates made.
type fakeLambda struct {
	versions map[string][]types.FunctionConfiguration
	aliases  map[string]string
	updates  []lambda.UpdateAliasInput
}

func (f *fakeLambda) ListVersionsByFunction(_ context.Context, in *lambda.ListVersionsByFunctionInput, _ ...func(*lambda.Options)) (*lambda.ListVersionsByFunctionOutput, error) {
	// Two pages, as the API pages at 50.
	all := f.versions[*in.FunctionName]
	if in.Marker == nil && len(all) > 1 {
		return &lambda.ListVersionsByFunctionOutput{Versions: all[:1], NextMarker: aws.String("next")}, nil
	}
	if in.Marker != nil {
		return &lambda.ListVersionsByFunctionOutput{Versions: all[1:]}, nil
	}
	return &lambda.ListVersionsByFunctionOutput{Versions: all}, nil
}

func (f *fakeLambda) GetAlias(_ context.Context, in *lambda.GetAliasInput, _ ...func(*lambda.Options)) (*lambda.GetAliasOutput, error) {
	return &lambda.GetAliasOutput{FunctionVersion: aws.String(f.aliases[*in.FunctionName])}, nil
}

func (f *fakeLambda) UpdateAlias(_ context.Context, in *lambda.UpdateAliasInput, _ ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error) {
	f.updates = append(f.updates, *in)
	f.aliases[*in.FunctionName] = *in.FunctionVersion
	return &lambda.UpdateAliasOutput{}, nil
}

func version(n, desc string) types.FunctionConfiguration {
	return types.FunctionConfiguration{Version: aws.String(n), Description: aws.String(desc)}
}

func stage() *fakeLambda {
	return &fakeLambda{
		versions: map[string][]types.FunctionConfiguration{
			"innkeeper-prod-api":    {version("$LATEST", ""), version("7", "v1.3.0+bbb"), version("6", "v1.2.0+aaa"), version("5", "v1.2.0+aaa")},
			"innkeeper-prod-worker": {version("$LATEST", ""), version("4", "v1.3.0+bbb"), version("3", "v1.2.0+aaa")},
			"innkeeper-prod-ws":     {version("$LATEST", ""), version("2", "v1.3.0+bbb")},
		},
		aliases: map[string]string{"innkeeper-prod-api": "7", "innkeeper-prod-worker": "4", "innkeeper-prod-ws": "2"},
	}
}

func TestRollbackMovesEveryAliasToTheRelease(t *testing.T) {
	f := stage()
	var out bytes.Buffer
	r := Releaser{Lambda: f, Stage: "prod", Functions: []string{"api", "worker"}, Out: &out}
	if err := r.Rollback(context.Background(), "v1.2.0+aaa"); err != nil {
		t.Fatal(err)
	}
	if f.aliases["innkeeper-prod-api"] != "6" || f.aliases["innkeeper-prod-worker"] != "3" {
		t.Errorf("aliases %v, want api→6 (the newest of the release), worker→3", f.aliases)
	}
	for _, u := range f.updates {
		if u.RoutingConfig == nil || len(u.RoutingConfig.AdditionalVersionWeights) != 0 {
			t.Errorf("%s: canary weights not cleared", *u.FunctionName)
		}
	}
	if !strings.Contains(out.String(), "innkeeper-prod-api: 7 → version 6") {
		t.Errorf("output %q does not say what moved", out.String())
	}
}

func TestRollbackChangesNothingWhenAFunctionLacksTheRelease(t *testing.T) {
	f := stage()
	r := Releaser{Lambda: f, Stage: "prod", Functions: []string{"api", "worker", "ws"}, Out: &bytes.Buffer{}}
	err := r.Rollback(context.Background(), "v1.2.0+aaa")
	if err == nil || !strings.Contains(err.Error(), "innkeeper-prod-ws") {
		t.Fatalf("err = %v, want one naming the function without the release", err)
	}
	if len(f.updates) != 0 {
		t.Errorf("%d aliases moved; a partial rollback must not start", len(f.updates))
	}
}

func TestVersionsListsReleases(t *testing.T) {
	var out bytes.Buffer
	r := Releaser{Lambda: stage(), Stage: "prod", Functions: []string{"api"}, Out: &out}
	if err := r.Versions(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"innkeeper-prod-api (live: version 7)", "version 6    v1.2.0+aaa"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "$LATEST") {
		t.Error("lists $LATEST, which is not a release")
	}
}

func TestRunNeedsStageAndVersion(t *testing.T) {
	for _, args := range [][]string{{}, {"rollback"}, {"rollback", "-stage", "prod"}} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("run(%v) succeeded", args)
		}
	}
}
