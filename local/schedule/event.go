package schedule

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"innkeeper/local/awsid"
	"innkeeper/shared/topology"
)

// The constant fields of a scheduled event.
const (
	eventVersion    = "0"
	eventDetailType = "Scheduled Event"
	eventSource     = "aws.events"
)

// scheduledEvent is the event EventBridge sends for a scheduled rule,
// with its fields in EventBridge's order.
type scheduledEvent struct {
	Version    string            `json:"version"`
	ID         string            `json:"id"`
	DetailType string            `json:"detail-type"`
	Source     string            `json:"source"`
	Account    string            `json:"account"`
	Time       string            `json:"time"`
	Region     string            `json:"region"`
	Resources  []string          `json:"resources"`
	Detail     map[string]string `json:"detail"`
}

// Event is the scheduled event EventBridge sends when the rule of s fires
// at at: a fresh id, the time in UTC to the second, the rule's ARN as its
// one resource and s.Detail as detail ({} when empty). Options supply the
// region, account and rule prefix; their defaults apply.
func Event(s topology.Schedule, at time.Time, o Options) []byte {
	return event(s, at, o.withDefaults(), awsid.UUID())
}

// event is Event with a given id; o has its defaults.
func event(s topology.Schedule, at time.Time, o Options, id string) []byte {
	detail := s.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	ev := scheduledEvent{
		Version:    eventVersion,
		ID:         id,
		DetailType: eventDetailType,
		Source:     eventSource,
		Account:    o.Account,
		Time:       at.UTC().Format("2006-01-02T15:04:05Z"),
		Region:     o.Region,
		Resources:  []string{RuleARN(s.Name, o)},
		Detail:     detail,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // EventBridge sends <, > and & as they are.
	// Strings and a map of strings always encode, and a bytes.Buffer
	// does not fail: there is no error to handle.
	_ = enc.Encode(ev)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// RuleARN is the ARN of the EventBridge rule of the schedule named name:
// arn:aws:events:<region>:<account>:rule/<RulePrefix><name>. Options'
// defaults apply.
func RuleARN(name string, o Options) string {
	o = o.withDefaults()
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s%s", o.Region, o.Account, o.RulePrefix, name)
}
