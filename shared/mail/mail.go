// Package mail sends email: SMTP locally (to Mailpit), SES v2 in the
// cloud, behind one small interface.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one email with a plain-text and an HTML body.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	// ID becomes the Message-ID: the same notification always gets the
	// same one, so a mail client shows a rare duplicate as one message.
	ID string
	// Headers are extra headers (X-Innkeeper-Kind, …).
	Headers map[string]string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Validate checks the addresses and that there is something to send.
func (m Message) Validate() error {
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("mail: from %q: %w", m.From, err)
	}
	if len(m.To) == 0 {
		return errors.New("mail: no recipient")
	}
	for _, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("mail: to %q: %w", to, err)
		}
	}
	if strings.TrimSpace(m.Subject) == "" || (m.Text == "" && m.HTML == "") {
		return errors.New("mail: a message needs a subject and a body")
	}
	for k, v := range m.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return fmt.Errorf("mail: header %q holds a line break", k)
		}
	}
	if strings.ContainsAny(m.Subject+m.ID, "\r\n") {
		return errors.New("mail: subject or id holds a line break")
	}
	return nil
}
