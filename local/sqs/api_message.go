package sqs

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"innkeeper/local/awsid"
)

// The message actions.

type sendMessageInput struct {
	QueueUrl                *string
	MessageBody             *string
	DelaySeconds            *int
	MessageAttributes       map[string]attrValue
	MessageSystemAttributes map[string]attrValue
	MessageDeduplicationId  *string
	MessageGroupId          *string
}

type sendMessageOutput struct {
	MessageId                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty"`
}

// maxBatchSize is the limit on the sum of a batch's messages.
const maxBatchSize = defaultMaxSize

func (s *Server) sendMessage(_ context.Context, in *sendMessageInput) (*sendMessageOutput, error) {
	m, sysMD5, err := s.newMessage(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.send(q, m, in.DelaySeconds); err != nil {
		return nil, err
	}
	return &sendMessageOutput{MessageId: m.id, MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: md5OfAttributes(m.attrs), MD5OfMessageSystemAttributes: sysMD5}, nil
}

// newMessage checks what SendMessage was given, before the queue is
// known, and makes the message of it.
func (s *Server) newMessage(in *sendMessageInput) (m *message, sysMD5 string, err error) {
	switch {
	case in.MessageBody == nil || *in.MessageBody == "":
		return nil, "", errMissingParameter("MessageBody")
	case !validText(*in.MessageBody):
		return nil, "", errMessageContents()
	case in.MessageDeduplicationId != nil:
		return nil, "", errInvalidParameter("The request include parameter MessageDeduplicationId that is not valid for this queue type")
	case in.DelaySeconds != nil && (*in.DelaySeconds < 0 || *in.DelaySeconds > 900):
		return nil, "", errInvalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *in.DelaySeconds)
	}
	if err := checkAttributes(in.MessageAttributes); err != nil {
		return nil, "", err
	}
	if err := checkSystemAttributes(in.MessageSystemAttributes); err != nil {
		return nil, "", err
	}
	m = &message{
		id: awsid.UUID(), body: *in.MessageBody, md5Body: md5Hex([]byte(*in.MessageBody)),
		attrs: in.MessageAttributes, senderID: s.o.Account,
	}
	if t, ok := in.MessageSystemAttributes["AWSTraceHeader"]; ok {
		m.trace = *t.StringValue
	}
	return m, md5OfAttributes(in.MessageSystemAttributes), nil
}

// size is what a message counts against MaximumMessageSize: its body
// and its attributes' names, types and values.
func (m *message) size() int {
	n := len(m.body)
	for name, a := range m.attrs {
		n += a.size(name)
	}
	return n
}

// send puts m on q after its delay: delay if given, the queue's
// DelaySeconds otherwise.
func (s *Server) send(q *queue, m *message, delay *int) error {
	if n := m.size(); n > q.cfg.maxSize {
		return errInvalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.maxSize)
	}
	d := q.cfg.delay
	if delay != nil {
		d = *delay
	}
	now := s.now()
	m.sentAt = now
	m.visibleAt = now.Add(time.Duration(d) * time.Second)
	s.enqueue(q, m)
	return nil
}

type sendMessageBatchInput struct {
	QueueUrl *string
	Entries  []sendMessageBatchEntry
}

type sendMessageBatchEntry struct {
	Id *string
	sendMessageInput
}

type sendMessageBatchResultEntry struct {
	Id string
	sendMessageOutput
}

// batchResultErrorEntry is one failed entry of a batch.
type batchResultErrorEntry struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string `json:",omitempty"`
}

func failed(id string, err error) batchResultErrorEntry {
	var ae *apiError
	if !errors.As(err, &ae) {
		return batchResultErrorEntry{Id: id, Code: "InternalError", Message: "internal error"}
	}
	return batchResultErrorEntry{Id: id, SenderFault: ae.status < 500, Code: ae.code, Message: ae.message}
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry
	Failed     []batchResultErrorEntry
}

func (s *Server) sendMessageBatch(_ context.Context, in *sendMessageBatchInput) (*sendMessageBatchOutput, error) {
	if err := checkBatch(in.Entries, func(e sendMessageBatchEntry) *string { return e.Id }); err != nil {
		return nil, err
	}
	out := &sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	type entry struct {
		id     string
		m      *message
		sysMD5 string
		delay  *int
	}
	var ok []entry
	total := 0
	for _, e := range in.Entries {
		m, sysMD5, err := s.newMessage(&e.sendMessageInput)
		if err != nil {
			out.Failed = append(out.Failed, failed(*e.Id, err))
			continue
		}
		total += m.size()
		ok = append(ok, entry{*e.Id, m, sysMD5, e.DelaySeconds})
	}
	if total > maxBatchSize {
		return nil, errBatchTooLong(total, maxBatchSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for _, e := range ok {
		if err := s.send(q, e.m, e.delay); err != nil {
			out.Failed = append(out.Failed, failed(e.id, err))
			continue
		}
		out.Successful = append(out.Successful, sendMessageBatchResultEntry{e.id, sendMessageOutput{
			MessageId: e.m.id, MD5OfMessageBody: e.m.md5Body,
			MD5OfMessageAttributes: md5OfAttributes(e.m.attrs), MD5OfMessageSystemAttributes: e.sysMD5,
		}})
	}
	return out, nil
}

var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatchIDs applies the rules every batch action shares: 1 to 10
// entries with distinct, well-formed ids.
// checkBatch checks a batch request's entries by their ids: one to ten,
// well formed, distinct.
func checkBatch[E any](entries []E, id func(E) *string) error {
	ids := make([]*string, len(entries))
	for i, e := range entries {
		ids[i] = id(e)
	}
	switch {
	case len(ids) == 0:
		return errEmptyBatch()
	case len(ids) > 10:
		return errTooManyEntries(len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		switch {
		case id == nil || !batchEntryID.MatchString(*id):
			return errBatchEntryID(deref(id))
		case seen[*id]:
			return errIDsNotDistinct(*id)
		}
		seen[*id] = true
	}
	return nil
}

type receiveMessageInput struct {
	QueueUrl                    *string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	ReceiveRequestAttemptId     *string
}

type wireMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string    `json:",omitempty"`
	MD5OfMessageAttributes string               `json:",omitempty"`
	MessageAttributes      map[string]attrValue `json:",omitempty"`
}

type receiveMessageOutput struct {
	Messages []wireMessage `json:",omitempty"`
}

func (s *Server) receiveMessage(ctx context.Context, in *receiveMessageInput) (*receiveMessageOutput, error) {
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
		if max < 1 || max > 10 {
			return nil, errInvalidParameter("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
		}
	}
	var vis *time.Duration
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibility {
			return nil, errInvalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout)
		}
		d := time.Duration(*in.VisibilityTimeout) * time.Second
		vis = &d
	}
	s.mu.Lock()
	q, err := s.lookup(in.QueueUrl)
	wait := 0
	if err == nil {
		wait = q.cfg.wait
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
		if wait < 0 || wait > 20 {
			return nil, errInvalidParameter("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)
		}
	}
	got, err := s.receive(ctx, func() (*queue, error) { return s.lookup(in.QueueUrl) }, max, time.Duration(wait)*time.Second, vis)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return &receiveMessageOutput{}, nil // the client or the server is going
		}
		return nil, err
	}
	out := &receiveMessageOutput{}
	system := slices.Concat(in.AttributeNames, in.MessageSystemAttributeNames)
	for _, d := range got {
		attrs := selectAttributes(d.attrs, in.MessageAttributeNames)
		out.Messages = append(out.Messages, wireMessage{
			MessageId: d.id, ReceiptHandle: d.handle, MD5OfBody: d.md5Body, Body: d.body,
			Attributes:             d.systemAttributes(system),
			MD5OfMessageAttributes: md5OfAttributes(attrs), MessageAttributes: attrs,
		})
	}
	return out, nil
}

// systemAttributes are the message system attributes names asks for
// ("All" for every one the message has).
func (d delivery) systemAttributes(names []string) map[string]string {
	all := map[string]string{
		"SenderId":                         d.senderID,
		"SentTimestamp":                    strconv.FormatInt(d.sentAt.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(d.receives),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(d.firstReceive.UnixMilli(), 10),
	}
	if d.trace != "" {
		all["AWSTraceHeader"] = d.trace
	}
	if d.dlqSource != "" {
		all["DeadLetterQueueSourceArn"] = d.dlqSource
	}
	out := map[string]string{}
	for _, name := range names {
		if name == "All" {
			return all
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return out
}

// selectAttributes are the message attributes filters ask for: All or
// .* for every one, a name, or prefix.* for the names starting prefix.
func selectAttributes(attrs map[string]attrValue, filters []string) map[string]attrValue {
	out := map[string]attrValue{}
	for name, a := range attrs {
		for _, f := range filters {
			prefix, isPrefix := strings.CutSuffix(f, "*")
			if f == "All" || f == ".*" || f == name || (isPrefix && strings.HasSuffix(prefix, ".") && strings.HasPrefix(name, prefix)) {
				out[name] = a
				break
			}
		}
	}
	return out
}

type deleteMessageInput struct {
	QueueUrl      *string
	ReceiptHandle *string
}

func (s *Server) deleteMessage(_ context.Context, in *deleteMessageInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == nil {
		return nil, errMissingParameter("ReceiptHandle")
	}
	if err := s.remove(q, *in.ReceiptHandle); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type deleteMessageBatchInput struct {
	QueueUrl *string
	Entries  []deleteMessageBatchEntry
}

type deleteMessageBatchEntry struct {
	Id            *string
	ReceiptHandle *string
}

type batchResultEntry struct {
	Id string
}

type batchOutput struct {
	Successful []batchResultEntry
	Failed     []batchResultErrorEntry
}

func (s *Server) deleteMessageBatch(_ context.Context, in *deleteMessageBatchInput) (*batchOutput, error) {
	if err := checkBatch(in.Entries, func(e deleteMessageBatchEntry) *string { return e.Id }); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &batchOutput{Successful: []batchResultEntry{}, Failed: []batchResultErrorEntry{}}
	for _, e := range in.Entries {
		var err error = errMissingParameter("ReceiptHandle")
		if e.ReceiptHandle != nil {
			err = s.remove(q, *e.ReceiptHandle)
		}
		if err != nil {
			out.Failed = append(out.Failed, failed(*e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, batchResultEntry{*e.Id})
	}
	return out, nil
}

type changeMessageVisibilityInput struct {
	QueueUrl          *string
	ReceiptHandle     *string
	VisibilityTimeout *int
}

func (s *Server) changeMessageVisibility(_ context.Context, in *changeMessageVisibilityInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.changeOne(q, in.ReceiptHandle, in.VisibilityTimeout); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (s *Server) changeOne(q *queue, handle *string, timeout *int) error {
	switch {
	case handle == nil:
		return errMissingParameter("ReceiptHandle")
	case timeout == nil:
		return errMissingParameter("VisibilityTimeout")
	}
	return s.changeVisibility(q, *handle, *timeout, s.now())
}

type changeMessageVisibilityBatchInput struct {
	QueueUrl *string
	Entries  []changeMessageVisibilityBatchEntry
}

type changeMessageVisibilityBatchEntry struct {
	Id                *string
	ReceiptHandle     *string
	VisibilityTimeout *int
}

func (s *Server) changeMessageVisibilityBatch(_ context.Context, in *changeMessageVisibilityBatchInput) (*batchOutput, error) {
	if err := checkBatch(in.Entries, func(e changeMessageVisibilityBatchEntry) *string { return e.Id }); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &batchOutput{Successful: []batchResultEntry{}, Failed: []batchResultErrorEntry{}}
	for _, e := range in.Entries {
		if err := s.changeOne(q, e.ReceiptHandle, e.VisibilityTimeout); err != nil {
			out.Failed = append(out.Failed, failed(*e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, batchResultEntry{*e.Id})
	}
	return out, nil
}
