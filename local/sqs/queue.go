package sqs

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// queue is one standard queue. Every field is guarded by Server.mu.
type queue struct {
	name     string
	created  time.Time
	modified time.Time
	cfg      queueConfig
	tags     map[string]string
	// msgs are the queue's messages in the order they were sent, which
	// is the order receives look at them.
	msgs      []*message
	notify    chan struct{}
	lastPurge time.Time
	// tasks are the message move tasks with this queue as source, most
	// recent first.
	tasks []*moveTask
}

func newQueue(name string, cfg queueConfig, now time.Time) *queue {
	return &queue{name: name, created: now, modified: now, cfg: cfg, tags: map[string]string{}, notify: make(chan struct{})}
}

// wake tells the long polls waiting on the queue to look again.
func (q *queue) wake() {
	close(q.notify)
	q.notify = make(chan struct{})
}

// queueConfig is what the settable attributes say.
type queueConfig struct {
	delay      int // seconds
	maxSize    int // bytes
	retention  int // seconds
	wait       int // seconds
	visibility int // seconds
	redrive    *redrivePolicy
	allow      *redriveAllowPolicy
	// Attributes kept and returned but not acted upon.
	policy, kmsKey, kmsReuse, sse string
}

// SQS's defaults for a new queue.
const (
	defaultMaxSize    = 1 << 20 // 1 MiB
	defaultRetention  = 345600  // 4 days
	defaultVisibility = 30
	maxVisibility     = 43200 // 12 hours
)

func defaultConfig() queueConfig {
	return queueConfig{maxSize: defaultMaxSize, retention: defaultRetention, visibility: defaultVisibility, sse: "true"}
}

// attrSpec reads and writes one settable attribute.
type attrSpec struct {
	set func(c *queueConfig, v string) error
	get func(c *queueConfig) (string, bool)
}

func intAttr(name string, field func(c *queueConfig) *int, min, max int) attrSpec {
	return attrSpec{
		set: func(c *queueConfig, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < min || n > max {
				return errAttributeValue(name)
			}
			*field(c) = n
			return nil
		},
		get: func(c *queueConfig) (string, bool) { return strconv.Itoa(*field(c)), true },
	}
}

func stringAttr(field func(c *queueConfig) *string, valid func(string) bool, name string) attrSpec {
	return attrSpec{
		set: func(c *queueConfig, v string) error {
			if valid != nil && !valid(v) {
				return errAttributeValue(name)
			}
			*field(c) = v
			return nil
		},
		get: func(c *queueConfig) (string, bool) { return *field(c), *field(c) != "" },
	}
}

// settable are the attributes CreateQueue and SetQueueAttributes accept
// for a standard queue.
var settable = map[string]attrSpec{
	"DelaySeconds":                  intAttr("DelaySeconds", func(c *queueConfig) *int { return &c.delay }, 0, 900),
	"MaximumMessageSize":            intAttr("MaximumMessageSize", func(c *queueConfig) *int { return &c.maxSize }, 1024, defaultMaxSize),
	"MessageRetentionPeriod":        intAttr("MessageRetentionPeriod", func(c *queueConfig) *int { return &c.retention }, 60, 1209600),
	"ReceiveMessageWaitTimeSeconds": intAttr("ReceiveMessageWaitTimeSeconds", func(c *queueConfig) *int { return &c.wait }, 0, 20),
	"VisibilityTimeout":             intAttr("VisibilityTimeout", func(c *queueConfig) *int { return &c.visibility }, 0, maxVisibility),
	"Policy":                        stringAttr(func(c *queueConfig) *string { return &c.policy }, validPolicy, "Policy"),
	"KmsMasterKeyId":                stringAttr(func(c *queueConfig) *string { return &c.kmsKey }, nil, "KmsMasterKeyId"),
	"KmsDataKeyReusePeriodSeconds":  stringAttr(func(c *queueConfig) *string { return &c.kmsReuse }, intBetween(60, 86400), "KmsDataKeyReusePeriodSeconds"),
	"SqsManagedSseEnabled":          stringAttr(func(c *queueConfig) *string { return &c.sse }, oneOf("true", "false"), "SqsManagedSseEnabled"),
	"RedrivePolicy": {
		set: func(c *queueConfig, v string) error {
			if v == "" {
				c.redrive = nil
				return nil
			}
			p, err := parseRedrivePolicy(v)
			if err != nil {
				return err
			}
			c.redrive = p
			return nil
		},
		get: func(c *queueConfig) (string, bool) {
			if c.redrive == nil {
				return "", false
			}
			return c.redrive.String(), true
		},
	},
	"RedriveAllowPolicy": {
		set: func(c *queueConfig, v string) error {
			if v == "" {
				c.allow = nil
				return nil
			}
			p, err := parseRedriveAllowPolicy(v)
			if err != nil {
				return err
			}
			c.allow = p
			return nil
		},
		get: func(c *queueConfig) (string, bool) {
			if c.allow == nil {
				return "", false
			}
			return c.allow.String(), true
		},
	},
}

// computed are the read-only attributes GetQueueAttributes answers.
var computed = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
}

// fifoOnly are attributes of FIFO queues: a standard queue has none.
var fifoOnly = []string{"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}

func validPolicy(v string) bool { return v == "" || json.Valid([]byte(v)) }

func intBetween(min, max int) func(string) bool {
	return func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n >= min && n <= max
	}
}

func oneOf(values ...string) func(string) bool {
	return func(v string) bool { return slices.Contains(values, v) }
}

// applyAttributes sets attrs on c, checking each name and value. create
// allows FifoQueue=false, which only CreateQueue takes.
func applyAttributes(c *queueConfig, attrs map[string]string, create bool) error {
	for _, name := range sortedKeys(attrs) {
		v := attrs[name]
		if name == "FifoQueue" && create {
			if v == "true" {
				return errUnsupported("FIFO queues are not emulated; use a standard queue locally.")
			}
			if v != "false" {
				return errAttributeValue(name)
			}
			continue
		}
		spec, ok := settable[name]
		if !ok {
			return errAttributeName(name)
		}
		if err := spec.set(c, v); err != nil {
			return err
		}
	}
	return nil
}

// redrivePolicy sends a message to the dead-letter queue once it has
// been received maxReceiveCount times.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// String is the policy as GetQueueAttributes returns it.
func (p *redrivePolicy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	var raw struct {
		Target json.RawMessage `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	invalid := func(reason string) error {
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: %s", v, reason)
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, invalid("Invalid value for RedrivePolicy: must be a JSON object.")
	}
	var p redrivePolicy
	if err := json.Unmarshal(raw.Target, &p.DeadLetterTargetArn); err != nil || p.DeadLetterTargetArn == "" {
		return nil, invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	// maxReceiveCount is a number, though SQS takes a numeric string too.
	text := strings.Trim(string(raw.Max), `"`)
	n, err := strconv.Atoi(text)
	switch {
	case len(raw.Max) == 0:
		return nil, invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	case err != nil || n < 1 || n > 1000:
		return nil, invalid("Invalid value for maxReceiveCount: " + text + ", valid values are from 1 to 1000 both inclusive.")
	}
	p.MaxReceiveCount = n
	return &p, nil
}

// redriveAllowPolicy says which queues may use this one as their
// dead-letter queue.
type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

// String is the policy as GetQueueAttributes returns it.
func (p *redriveAllowPolicy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

func parseRedriveAllowPolicy(v string) (*redriveAllowPolicy, error) {
	var p redriveAllowPolicy
	invalid := func(reason string) error {
		return errInvalidParameter("Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", v, reason)
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, invalid("Invalid value for RedriveAllowPolicy: must be a JSON object.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return nil, invalid("sourceQueueArns can only be specified when redrivePermission is byQueue.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10 {
			return nil, invalid("byQueue needs from 1 to 10 sourceQueueArns.")
		}
	default:
		return nil, invalid("redrivePermission must be allowAll, denyAll or byQueue.")
	}
	return &p, nil
}

// allows tells whether the queue of ARN source may send dead letters here.
func (p *redriveAllowPolicy) allows(source string) bool {
	switch {
	case p == nil || p.RedrivePermission == "allowAll":
		return true
	case p.RedrivePermission == "byQueue":
		return slices.Contains(p.SourceQueueArns, source)
	}
	return false
}

var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Server) arn(name string) string {
	return "arn:aws:sqs:" + s.o.Region + ":" + s.o.Account + ":" + name
}

// nameOfARN is the queue name an ARN of this region and account names.
func (s *Server) nameOfARN(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, "arn:aws:sqs:"+s.o.Region+":"+s.o.Account+":")
	return name, ok && queueName.MatchString(name)
}

// queueURL is the URL of a queue; s.mu must be held.
func (s *Server) queueURL(name string) string {
	return s.base + "/" + s.o.Account + "/" + name
}

// lookup finds the queue a QueueUrl names; s.mu must be held. SQS
// ignores the URL's host, so any host does; the path must be
// /<account>/<name>.
func (s *Server) lookup(queueURL *string) (*queue, error) {
	if queueURL == nil || *queueURL == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	u, err := url.Parse(*queueURL)
	if err != nil {
		return nil, errNoQueue()
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] != s.o.Account {
		return nil, errNoQueue()
	}
	q, ok := s.queues[parts[1]]
	if !ok {
		return nil, errNoQueue()
	}
	return q, nil
}

// checkRedrive checks a queue's redrive policy against the dead-letter
// queue it names; s.mu must be held.
func (s *Server) checkRedrive(name string, c *queueConfig) error {
	if c.redrive == nil {
		return nil
	}
	v := c.redrive.String()
	dlqName, ok := s.nameOfARN(c.redrive.DeadLetterTargetArn)
	dlq := s.queues[dlqName]
	switch {
	case !ok || dlq == nil:
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
	case dlqName == name:
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: A queue cannot be its own dead letter queue.", v)
	case !dlq.cfg.allow.allows(s.arn(name)):
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Queue %s does not allow this queue as a source queue.", v, dlq.name)
	}
	return nil
}

// deadLetterQueue is where q's dead letters go, nil if it has no redrive
// policy or its target is gone; s.mu must be held.
func (s *Server) deadLetterQueue(q *queue) *queue {
	if q.cfg.redrive == nil {
		return nil
	}
	name, ok := s.nameOfARN(q.cfg.redrive.DeadLetterTargetArn)
	if !ok || name == q.name {
		return nil
	}
	return s.queues[name]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
