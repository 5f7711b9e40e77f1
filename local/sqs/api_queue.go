package sqs

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The queue actions. Request and response fields carry the names the
// JSON protocol gives them, hence the Go names with Url and Arn.

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string
}

func (s *Server) createQueue(_ context.Context, in *createQueueInput) (*queueURLOutput, error) {
	url, err := s.create(deref(in.QueueName), in.Attributes, in.Tags)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{url}, nil
}

// create makes a queue, or returns the URL of the queue of that name
// when each attribute given has the value it already has, as CreateQueue
// does.
func (s *Server) create(name string, attrs, tags map[string]string) (string, error) {
	switch {
	case name == "":
		return "", errMissingParameter("QueueName")
	case strings.HasSuffix(name, ".fifo"):
		return "", errUnsupported("FIFO queues are not emulated; use a standard queue locally.")
	case !queueName.MatchString(name):
		return "", errInvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	cfg := defaultConfig()
	if err := applyAttributes(&cfg, attrs, true); err != nil {
		return "", err
	}
	if err := checkTags(tags); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		for _, attr := range sortedKeys(attrs) {
			spec, ok := settable[attr]
			if !ok {
				continue // FifoQueue=false, which every standard queue has
			}
			want, _ := spec.get(&cfg)
			have, _ := spec.get(&q.cfg)
			if want != have {
				return "", errQueueNameExists(attr)
			}
		}
		return s.queueURL(name), nil
	}
	if err := s.checkRedrive(name, &cfg); err != nil {
		return "", err
	}
	q := newQueue(name, cfg, s.now())
	maps.Copy(q.tags, tags)
	s.queues[name] = q
	return s.queueURL(name), nil
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountId *string
}

func (s *Server) getQueueURL(_ context.Context, in *getQueueURLInput) (*queueURLOutput, error) {
	name := deref(in.QueueName)
	if name == "" {
		return nil, errMissingParameter("QueueName")
	}
	if owner := deref(in.QueueOwnerAWSAccountId); owner != "" && owner != s.o.Account {
		return nil, errNoQueue()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		return nil, errNoQueue()
	}
	return &queueURLOutput{s.queueURL(name)}, nil
}

type listQueuesInput struct {
	QueueNamePrefix *string
	NextToken       *string
	MaxResults      *int
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken *string  `json:",omitempty"`
}

func (s *Server) listQueues(_ context.Context, in *listQueuesInput) (*listQueuesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.queues {
		if strings.HasPrefix(name, deref(in.QueueNamePrefix)) {
			names = append(names, name)
		}
	}
	page, next, err := paginate(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOutput{NextToken: next}
	for _, name := range page {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(name))
	}
	return out, nil
}

// paginate pages sorted names as SQS's list actions do: all (up to
// 1000) without MaxResults, MaxResults at a time with a NextToken
// otherwise.
func paginate(names []string, maxResults *int, token *string) (page []string, next *string, err error) {
	slices.Sort(names)
	if token != nil && *token != "" {
		after, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil {
			return nil, nil, errInvalidParameter("Invalid NextToken value.")
		}
		i, _ := slices.BinarySearch(names, string(after)+"\x00")
		names = names[i:]
	}
	limit := 1000
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 1000 {
			return nil, nil, errInvalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *maxResults)
		}
		limit = *maxResults
	}
	if len(names) <= limit {
		return names, nil, nil
	}
	page = names[:limit]
	if maxResults != nil {
		t := base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1]))
		next = &t
	}
	return page, next, nil
}

type getQueueAttributesInput struct {
	QueueUrl       *string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

func (s *Server) getQueueAttributes(_ context.Context, in *getQueueAttributesInput) (*attributesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	names := in.AttributeNames
	if slices.Contains(names, "All") {
		names = slices.Concat(sortedKeys(settable), computed)
	}
	now := s.now()
	vis, flight, delay := s.counts(q, now)
	out := &attributesOutput{Attributes: map[string]string{}}
	for _, name := range names {
		if spec, ok := settable[name]; ok {
			if v, ok := spec.get(&q.cfg); ok {
				out.Attributes[name] = v
			}
			continue
		}
		switch name {
		case "ApproximateNumberOfMessages":
			out.Attributes[name] = strconv.Itoa(vis)
		case "ApproximateNumberOfMessagesNotVisible":
			out.Attributes[name] = strconv.Itoa(flight)
		case "ApproximateNumberOfMessagesDelayed":
			out.Attributes[name] = strconv.Itoa(delay)
		case "CreatedTimestamp":
			out.Attributes[name] = strconv.FormatInt(q.created.Unix(), 10)
		case "LastModifiedTimestamp":
			out.Attributes[name] = strconv.FormatInt(q.modified.Unix(), 10)
		case "QueueArn":
			out.Attributes[name] = s.arn(q.name)
		default:
			if !slices.Contains(fifoOnly, name) {
				return nil, errAttributeName(name)
			}
		}
	}
	return out, nil
}

type setQueueAttributesInput struct {
	QueueUrl   *string
	Attributes map[string]string
}

type empty struct{}

func (s *Server) setQueueAttributes(_ context.Context, in *setQueueAttributesInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.setAttributes(q, in.Attributes)
}

// setAttributes changes a queue's attributes, all or none.
func (s *Server) setAttributes(q *queue, attrs map[string]string) error {
	cfg := q.cfg
	if err := applyAttributes(&cfg, attrs, false); err != nil {
		return err
	}
	if err := s.checkRedrive(q.name, &cfg); err != nil {
		return err
	}
	q.cfg = cfg
	q.modified = s.now()
	q.wake()
	return nil
}

type queueURLInput struct {
	QueueUrl *string
}

func (s *Server) deleteQueue(_ context.Context, in *queueURLInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delete(s.queues, q.name)
	q.wake()
	return &empty{}, nil
}

// purgeInterval is how often SQS lets a queue be purged.
const purgeInterval = 60 * time.Second

func (s *Server) purgeQueue(_ context.Context, in *queueURLInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeInterval {
		return nil, errPurgeInProgress(q.name)
	}
	q.lastPurge = now
	q.msgs = nil
	q.wake()
	return &empty{}, nil
}

type listDeadLetterSourceQueuesInput struct {
	QueueUrl   *string
	NextToken  *string
	MaxResults *int
}

type listDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken *string  `json:",omitempty"`
}

func (s *Server) listDeadLetterSourceQueues(_ context.Context, in *listDeadLetterSourceQueuesInput) (*listDeadLetterSourceQueuesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dlq, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	names := s.sourcesOf(dlq)
	page, next, err := paginate(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listDeadLetterSourceQueuesOutput{QueueUrls: []string{}, NextToken: next}
	for _, name := range page {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(name))
	}
	return out, nil
}

// sourcesOf names the queues whose redrive policy targets dlq.
func (s *Server) sourcesOf(dlq *queue) []string {
	arn := s.arn(dlq.name)
	var names []string
	for name, q := range s.queues {
		if q.cfg.redrive != nil && q.cfg.redrive.DeadLetterTargetArn == arn {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

type tagQueueInput struct {
	QueueUrl *string
	Tags     map[string]string
}

func (s *Server) tagQueue(_ context.Context, in *tagQueueInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	merged := maps.Clone(q.tags)
	maps.Copy(merged, in.Tags)
	if err := checkTags(merged); err != nil {
		return nil, err
	}
	q.tags = merged
	return &empty{}, nil
}

type untagQueueInput struct {
	QueueUrl *string
	TagKeys  []string
}

func (s *Server) untagQueue(_ context.Context, in *untagQueueInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	return &empty{}, nil
}

type listQueueTagsOutput struct {
	Tags map[string]string `json:",omitempty"`
}

func (s *Server) listQueueTags(_ context.Context, in *queueURLInput) (*listQueueTagsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &listQueueTagsOutput{Tags: maps.Clone(q.tags)}, nil
}

// checkTags applies SQS's limits on tags: 50 a queue, keys up to 128
// characters, values up to 256.
func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errInvalidParameter("Too many tags: a queue can have at most 50.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return errInvalidParameter("Tag %q is invalid: keys are 1 to 128 characters, values up to 256.", k)
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
