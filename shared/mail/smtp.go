package mail

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"time"
)

func parse(a string) (*mail.Address, error) { return mail.ParseAddress(a) }

// SMTP sends through an SMTP server without authentication: Mailpit on
// the developer's machine. Each message is one connection, bounded by
// Timeout, so a server that is gone fails the message quickly.
type SMTP struct {
	Addr    string
	Timeout time.Duration
	Now     func() time.Time
}

// Send delivers m.
func (s SMTP) Send(ctx context.Context, m Message) error {
	raw, err := render(m, s.Now)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.Addr, err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: smtp %s: %w", s.Addr, err)
	}
	defer c.Close()
	from, _ := mail.ParseAddress(m.From)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: smtp MAIL FROM: %w", err)
	}
	for _, to := range m.To {
		a, _ := mail.ParseAddress(to)
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("mail: smtp RCPT TO %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: smtp DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("mail: smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: smtp end of data: %w", err)
	}
	return c.Quit()
}
