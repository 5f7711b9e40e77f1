package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// message is one message in a queue. The fields set at send (id, body,
// attributes) never change, so a delivery may share them.
type message struct {
	id       string
	body     string
	md5Body  string
	attrs    map[string]attrValue
	trace    string // the AWSTraceHeader system attribute
	senderID string
	sentAt   time.Time
	// visibleAt is when the message may next be received: the end of its
	// delay before the first receive, of its visibility timeout after.
	visibleAt    time.Time
	receives     int
	firstReceive time.Time
	lastReceive  time.Time
	// dlqSource is the ARN of the queue it was dead-lettered from.
	dlqSource string
}

// state of a message at a time, as the Approximate* counts see it.
type state int

const (
	visible state = iota
	delayed
	inFlight
)

func (m *message) state(now time.Time) state {
	switch {
	case !m.visibleAt.After(now):
		return visible
	case m.receives == 0:
		return delayed
	}
	return inFlight
}

// attrValue is a message attribute, in the JSON protocol's shape.
type attrValue struct {
	StringValue      *string  `json:",omitempty"`
	BinaryValue      []byte   `json:",omitempty"`
	StringListValues []string `json:",omitempty"`
	BinaryListValues [][]byte `json:",omitempty"`
	DataType         string
}

// binary tells whether the attribute travels as bytes: its type is
// Binary or a custom Binary.x.
func (a attrValue) binary() bool {
	base, _, _ := strings.Cut(a.DataType, ".")
	return base == "Binary"
}

// size is what the attribute adds to the message's size: name, type and
// value, as SQS counts them against MaximumMessageSize.
func (a attrValue) size(name string) int {
	n := len(name) + len(a.DataType)
	if a.binary() {
		return n + len(a.BinaryValue)
	}
	if a.StringValue != nil {
		n += len(*a.StringValue)
	}
	return n
}

// Limits SQS puts on message attributes.
const maxAttributes = 10

var (
	attributeName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)
	number        = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
)

// checkAttributes validates message attributes as SendMessage does.
func checkAttributes(attrs map[string]attrValue) error {
	if len(attrs) > maxAttributes {
		return errInvalidParameter("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxAttributes)
	}
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		lower := strings.ToLower(name)
		if !attributeName.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
			strings.Contains(name, "..") || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
			return errInvalidParameter("Message (user) attribute name '%s' is invalid. Names may contain alphanumeric characters, hyphens, underscores and periods, may not start or end with a period, nor start with AWS. or Amazon.", name)
		}
		if err := checkAttribute("Message (user)", name, a); err != nil {
			return err
		}
	}
	return nil
}

// checkSystemAttributes validates MessageSystemAttributes: only
// AWSTraceHeader, a String, may be sent.
func checkSystemAttributes(attrs map[string]attrValue) error {
	for _, name := range sortedKeys(attrs) {
		if name != "AWSTraceHeader" {
			return errInvalidParameter("Message system attribute name '%s' is invalid.", name)
		}
		a := attrs[name]
		if a.DataType != "String" {
			return errInvalidParameter("Message system attribute '%s' must be of type String.", name)
		}
		if err := checkAttribute("Message system", name, a); err != nil {
			return err
		}
	}
	return nil
}

func checkAttribute(kind, name string, a attrValue) error {
	base, custom, hasCustom := strings.Cut(a.DataType, ".")
	if len(a.StringListValues) > 0 || len(a.BinaryListValues) > 0 {
		return errInvalidParameter("%s attribute '%s': StringListValues and BinaryListValues are not implemented.", kind, name)
	}
	if len(a.DataType) > 256 || (hasCustom && custom == "") {
		return errInvalidParameter("%s attribute '%s' has an invalid data type '%s'.", kind, name, a.DataType)
	}
	switch base {
	case "String", "Number":
		if a.StringValue == nil || *a.StringValue == "" {
			return errInvalidParameter("%s attribute '%s' must contain a non-empty value of type '%s'.", kind, name, base)
		}
		if !validText(*a.StringValue) {
			return errInvalidParameter("%s attribute '%s' contains invalid characters.", kind, name)
		}
		if base == "Number" && !number.MatchString(*a.StringValue) {
			return errInvalidParameter("Can't cast the value of message (user) attribute '%s' to a number.", name)
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return errInvalidParameter("%s attribute '%s' must contain a non-empty value of type 'Binary'.", kind, name)
		}
	default:
		return errInvalidParameter("The type of %s attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", strings.ToLower(kind), name)
	}
	return nil
}

// validText holds the characters SQS accepts in a message: #x9, #xA,
// #xD, #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is SQS's digest of message attributes: for each
// attribute in the order of its name, the name, the data type, a
// transport byte (1 for String and Number, 2 for Binary) and the value,
// each of the three strings preceded by its length as a 4-byte
// big-endian integer. No attributes, no digest.
func md5OfAttributes(attrs map[string]attrValue) string {
	if len(attrs) == 0 {
		return ""
	}
	var buf []byte
	field := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		field([]byte(name))
		field([]byte(a.DataType))
		if a.binary() {
			buf = append(buf, 2)
			field(a.BinaryValue)
			continue
		}
		buf = append(buf, 1)
		var v string
		if a.StringValue != nil {
			v = *a.StringValue
		}
		field([]byte(v))
	}
	return md5Hex(buf)
}
