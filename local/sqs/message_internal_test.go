package sqs

import (
	"strings"
	"testing"
)

func str(s string) *string { return &s }

func TestMD5OfAttributes(t *testing.T) {
	t.Parallel()
	// The first three digests are Amazon's published samples; the others
	// were computed by a separate implementation of the documented
	// encoding.
	tests := []struct {
		name  string
		attrs map[string]attrValue
		want  string
	}{
		{"none", nil, ""},
		{"one string", map[string]attrValue{"SellerName": {DataType: "String", StringValue: str("Example Store")}}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{"strings sorted by name", map[string]attrValue{
			"test_attribute_name_2": {DataType: "String", StringValue: str("test_attribute_value_2")},
			"test_attribute_name_1": {DataType: "String", StringValue: str("test_attribute_value_1")},
		}, "d53f3b558fe951154770f25cb63dbba9"},
		{"binary", map[string]attrValue{"test_attribute_name": {DataType: "Binary", BinaryValue: []byte("test_attribute_value")}}, "23f6bd27ea87aab7dfeadcc9aebee495"},
		{"custom number", map[string]attrValue{"amount": {DataType: "Number.int", StringValue: str("-42")}}, "21fdb0a64be14c0875b099502bb597de"},
		{"every kind", map[string]attrValue{
			"price":    {DataType: "Number", StringValue: str("12.50")},
			"currency": {DataType: "String", StringValue: str("EUR")},
			"blob":     {DataType: "Binary", BinaryValue: []byte{0, 1, 0xfe, 0xff}},
			"kind":     {DataType: "String.reservation", StringValue: str("hold")},
		}, "3107ced716f141726529f79e774348e2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := md5OfAttributes(tt.attrs); got != tt.want {
				t.Errorf("md5OfAttributes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	t.Parallel()
	ok := attrValue{DataType: "String", StringValue: str("v")}
	eleven := map[string]attrValue{}
	for _, c := range "abcdefghijk" {
		eleven[string(c)] = ok
	}
	tests := []struct {
		name    string
		attrs   map[string]attrValue
		wantErr string // "" for valid
	}{
		{"string", map[string]attrValue{"a": ok}, ""},
		{"custom types", map[string]attrValue{"a": {DataType: "Number.float", StringValue: str("1.5e3")}, "b": {DataType: "Binary.gif", BinaryValue: []byte{1}}}, ""},
		{"too many", eleven, "exceeds the allowed maximum"},
		{"reserved prefix", map[string]attrValue{"AWS.x": ok}, "is invalid"},
		{"amazon prefix any case", map[string]attrValue{"amazon.x": ok}, "is invalid"},
		{"leading period", map[string]attrValue{".x": ok}, "is invalid"},
		{"double period", map[string]attrValue{"a..b": ok}, "is invalid"},
		{"space in name", map[string]attrValue{"a b": ok}, "is invalid"},
		{"empty string value", map[string]attrValue{"a": {DataType: "String", StringValue: str("")}}, "non-empty value"},
		{"no binary value", map[string]attrValue{"a": {DataType: "Binary"}}, "non-empty value"},
		{"not a number", map[string]attrValue{"a": {DataType: "Number", StringValue: str("twelve")}}, "to a number"},
		{"unknown type", map[string]attrValue{"a": {DataType: "Date", StringValue: str("x")}}, "type prefixes"},
		{"empty custom type", map[string]attrValue{"a": {DataType: "String.", StringValue: str("x")}}, "invalid data type"},
		{"list values", map[string]attrValue{"a": {DataType: "String", StringValue: str("x"), StringListValues: []string{"y"}}}, "not implemented"},
		{"control character", map[string]attrValue{"a": {DataType: "String", StringValue: str("a\x01")}}, "invalid characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkAttributes(tt.attrs)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("checkAttributes: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("checkAttributes = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"json", `{"a":1}`, true},
		{"tab newline return", "a\tb\nc\rd", true},
		{"accents and emoji", "café 🏨", true},
		{"nul", "a\x00b", false},
		{"bell", "a\x07", false},
		{"non-character FFFE", "a\uFFFE", false},
		{"invalid utf-8", "a\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validText(tt.s); got != tt.want {
				t.Errorf("validText(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestHandleRoundTrip(t *testing.T) {
	t.Parallel()
	h1, h2 := newHandle("orders", "id-1"), newHandle("orders", "id-1")
	if h1 == h2 {
		t.Error("two receives got the same receipt handle")
	}
	q, id, ok := parseHandle(h1)
	if !ok || q != "orders" || id != "id-1" {
		t.Errorf("parseHandle = %q, %q, %v; want orders, id-1, true", q, id, ok)
	}
	for _, bad := range []string{"", "garbage!", "b3JkZXJz", newHandle("orders", "")} {
		if _, _, ok := parseHandle(bad); ok {
			t.Errorf("parseHandle(%q) accepted a handle it never issued", bad)
		}
	}
}

func TestParseRedrivePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    string // canonical form; "" when invalid
		wantErr string
	}{
		{"number", `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:d","maxReceiveCount":5}`,
			`{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:d","maxReceiveCount":5}`, ""},
		{"numeric string", `{"maxReceiveCount":"7","deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:d"}`,
			`{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:d","maxReceiveCount":7}`, ""},
		{"no target", `{"maxReceiveCount":5}`, "", "deadLetterTargetArn"},
		{"no count", `{"deadLetterTargetArn":"arn:x"}`, "", "maxReceiveCount"},
		{"count zero", `{"deadLetterTargetArn":"arn:x","maxReceiveCount":0}`, "", "from 1 to 1000"},
		{"count too big", `{"deadLetterTargetArn":"arn:x","maxReceiveCount":1001}`, "", "from 1 to 1000"},
		{"not json", `maxReceiveCount=5`, "", "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseRedrivePolicy(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseRedrivePolicy = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRedrivePolicy: %v", err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("policy = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBatchItemFailures(t *testing.T) {
	t.Parallel()
	batch := []delivery{{id: "m1"}, {id: "m2"}}
	tests := []struct {
		name    string
		payload string
		want    []string // failed ids
		wantErr bool
	}{
		{"empty payload", ``, nil, false},
		{"null", `null`, nil, false},
		{"empty object", `{}`, nil, false},
		{"null list", `{"batchItemFailures":null}`, nil, false},
		{"empty list", `{"batchItemFailures":[]}`, nil, false},
		{"one failure", `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, []string{"m2"}, false},
		{"both", `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}`, []string{"m1", "m2"}, false},
		{"unknown id", `{"batchItemFailures":[{"itemIdentifier":"m3"}]}`, nil, true},
		{"empty id", `{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, true},
		{"null id", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, true},
		{"misspelt key", `{"batchItemFailures":[{"itemIdentifer":"m1"}]}`, nil, true},
		{"null item", `{"batchItemFailures":[null]}`, nil, true},
		{"not a list", `{"batchItemFailures":"m1"}`, nil, true},
		{"not json", `failed: m1`, nil, true},
		{"a string", `"ok"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := batchItemFailures([]byte(tt.payload), batch)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("batchItemFailures = %v, want an error (the whole batch fails)", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("batchItemFailures: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("failed = %v, want %v", got, tt.want)
			}
			for _, id := range tt.want {
				if !got[id] {
					t.Errorf("failed = %v, want %s among them", got, id)
				}
			}
		})
	}
}
