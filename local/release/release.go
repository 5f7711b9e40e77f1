package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// alias is the alias traffic reaches every function through.
const alias = "live"

// Lambda is the part of the Lambda API a release needs.
type Lambda interface {
	ListVersionsByFunction(context.Context, *lambda.ListVersionsByFunctionInput, ...func(*lambda.Options)) (*lambda.ListVersionsByFunctionOutput, error)
	GetAlias(context.Context, *lambda.GetAliasInput, ...func(*lambda.Options)) (*lambda.GetAliasOutput, error)
	UpdateAlias(context.Context, *lambda.UpdateAliasInput, ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error)
}

// Releaser moves a stage's aliases between releases.
type Releaser struct {
	Lambda    Lambda
	Stage     string
	Functions []string
	Out       io.Writer
}

func (r Releaser) functionName(fn string) string { return "innkeeper-" + r.Stage + "-" + fn }

// versions lists a function's published versions, newest first, by
// release.
func (r Releaser) versions(ctx context.Context, fn string) ([]types.FunctionConfiguration, error) {
	var out []types.FunctionConfiguration
	p := lambda.NewListVersionsByFunctionPaginator(r.Lambda, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(r.functionName(fn))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", r.functionName(fn), err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Version) != "$LATEST" {
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return number(out[i]) > number(out[j]) })
	return out, nil
}

func number(v types.FunctionConfiguration) int {
	n, _ := strconv.Atoi(aws.ToString(v.Version))
	return n
}

// Versions prints each function's alias and the releases it can go to.
func (r Releaser) Versions(ctx context.Context) error {
	for _, fn := range r.Functions {
		vs, err := r.versions(ctx, fn)
		if err != nil {
			return err
		}
		cur, err := r.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(r.functionName(fn)), Name: aws.String(alias)})
		if err != nil {
			return fmt.Errorf("alias of %s: %w", r.functionName(fn), err)
		}
		fmt.Fprintf(r.Out, "%s (live: version %s)\n", r.functionName(fn), aws.ToString(cur.FunctionVersion))
		for _, v := range vs {
			fmt.Fprintf(r.Out, "  version %-4s %s\n", aws.ToString(v.Version), aws.ToString(v.Description))
		}
	}
	return nil
}

// Rollback points every function's alias at its newest version of the
// release. It finds every function's version first and changes nothing
// unless all have one, so a stage is never left half on two releases by
// a typo; it clears any canary weight the alias carries.
func (r Releaser) Rollback(ctx context.Context, release string) error {
	target := map[string]string{}
	var missing []string
	for _, fn := range r.Functions {
		vs, err := r.versions(ctx, fn)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if aws.ToString(v.Description) == release {
				target[fn] = aws.ToString(v.Version)
				break
			}
		}
		if target[fn] == "" {
			missing = append(missing, r.functionName(fn))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("release %s has no published version of %v; nothing changed", release, missing)
	}
	for _, fn := range r.Functions {
		name := r.functionName(fn)
		cur, err := r.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String(alias)})
		if err != nil {
			return fmt.Errorf("alias of %s: %w", name, err)
		}
		if _, err := r.Lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
			FunctionName:    aws.String(name),
			Name:            aws.String(alias),
			FunctionVersion: aws.String(target[fn]),
			RoutingConfig:   &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}},
			Description:     aws.String("rolled back to " + release),
		}); err != nil {
			return fmt.Errorf("point %s:%s at version %s: %w", name, alias, target[fn], err)
		}
		fmt.Fprintf(r.Out, "%s: %s → version %s (%s)\n", name, aws.ToString(cur.FunctionVersion), target[fn], release)
	}
	return nil
}
