package sqs

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A receipt handle names the queue and the message a receive delivered,
// plus a random part so that each receive's handle differs, as SQS's do.
// Any handle of a message that still exists acts on it; one of a message
// that is gone acts on nothing.

func newHandle(queue, messageID string) string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(queue + "/" + messageID + "/" + hex.EncodeToString(nonce[:])))
}

// parseHandle reads a handle newHandle made; ok is false for anything
// else.
func parseHandle(h string) (queue, messageID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(raw), "/")
	if len(parts) != 3 || !queueName.MatchString(parts[0]) || parts[1] == "" || len(parts[2]) != 24 {
		return "", "", false
	}
	return parts[0], parts[1], true
}
