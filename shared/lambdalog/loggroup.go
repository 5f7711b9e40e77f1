package lambdalog

import "strings"

// lambdaLogGroups is the prefix of a Lambda function's log group.
const lambdaLogGroups = "/aws/lambda/"

// FunctionFromLogGroup is the function whose log group this is, among
// known short names: "/aws/lambda/innkeeper-staging-api" is "api", and so
// is "/aws/lambda/innkeeper-staging-api-1A2B3C". The name must be a whole
// dash-separated part of the deployed name; when several known names
// match, the one ending last wins, then the longest.
func FunctionFromLogGroup(logGroup string, known []string) (string, bool) {
	deployed, ok := strings.CutPrefix(logGroup, lambdaLogGroups)
	if !ok || deployed == "" {
		return "", false
	}
	parts := strings.Split(deployed, "-")
	best, bestEnd := "", -1
	for _, name := range known {
		want := strings.Split(name, "-")
		if name == "" || len(want) > len(parts) {
			continue
		}
		for start := len(parts) - len(want); start >= 0; start-- {
			if strings.EqualFold(strings.Join(parts[start:start+len(want)], "-"), name) {
				end := start + len(want)
				if end > bestEnd || end == bestEnd && len(name) > len(best) {
					best, bestEnd = name, end
				}
				break
			}
		}
	}
	return best, bestEnd >= 0
}
