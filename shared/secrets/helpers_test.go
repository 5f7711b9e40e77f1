package secrets

import (
	"encoding/json"
	"slices"
)

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sortedCalls(f interface{ callList() []string }) []string { return sorted(f.callList()) }

func (f *fakeSM) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}
