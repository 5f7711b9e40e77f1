package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	stdmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"innkeeper/local/testenv"
	"innkeeper/shared/mail"
)

func message() mail.Message {
	return mail.Message{
		From: "Innkeeper <bookings@innkeeper.local>", To: []string{"Ana Conceição <ana@example.com>"},
		Subject: "Reserva confirmada — INK-7K3Q9P", Text: "Olá Ana,\nreserva confirmada: € 161.50.\n",
		HTML: "<p>Olá Ana, reserva confirmada: <b>€ 161.50</b>.</p>", ID: "ink-7k3q9p.confirmation@innkeeper",
		Headers: map[string]string{"X-Innkeeper-Kind": "confirmation"},
	}
}

// The rendered message parses back with the standard library into what
// was put in.
func TestRawRoundTrips(t *testing.T) {
	raw, err := mail.Raw(message(), time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stdmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	to, _ := msg.Header.AddressList("To")
	if subject != message().Subject || len(to) != 1 || to[0].Name != "Ana Conceição" || msg.Header.Get("Message-Id") != "<ink-7k3q9p.confirmation@innkeeper>" ||
		msg.Header.Get("X-Innkeeper-Kind") != "confirmation" {
		t.Fatalf("headers %v (subject %q)", msg.Header, subject)
	}
	mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if mt != "multipart/alternative" {
		t.Fatalf("content type %q", mt)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Type")+"|"+string(b))
	}
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "text/plain") || !strings.Contains(parts[0], "€ 161.50") ||
		!strings.HasPrefix(parts[1], "text/html") || !strings.Contains(parts[1], "<b>€ 161.50</b>") {
		t.Fatalf("parts %q", parts)
	}
}

func TestValidateRefusesHeaderInjection(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mail.Message)
	}{
		{"subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: all@example.com" }},
		{"header", func(m *mail.Message) { m.Headers = map[string]string{"X-A": "b\nBcc: x@example.com"} }},
		{"from", func(m *mail.Message) { m.From = "not an address" }},
		{"to", func(m *mail.Message) { m.To = []string{"nobody"} }},
		{"no recipient", func(m *mail.Message) { m.To = nil }},
		{"no body", func(m *mail.Message) { m.Text, m.HTML = "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := message()
			tt.edit(&m)
			if _, err := mail.Raw(m, time.Now()); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestSMTPToMailpit(t *testing.T) {
	mp := testenv.StartMailpit(t)
	if err := (mail.SMTP{Addr: mp.SMTPAddr}).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	mp.WaitFor(t, "INK-7K3Q9P", 1, 5*time.Second)
	got := mp.Messages(t)[0]
	text, html := mp.Body(t, got.ID)
	if got.MessageID != "ink-7k3q9p.confirmation@innkeeper" || !strings.Contains(text, "€ 161.50") || !strings.Contains(html, "<b>€ 161.50</b>") {
		t.Fatalf("mailpit has %+v\n%s\n%s", got, text, html)
	}
}

func TestSMTPDownFailsFast(t *testing.T) {
	start := time.Now()
	err := (mail.SMTP{Addr: "127.0.0.1:1", Timeout: time.Second}).Send(context.Background(), message())
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

// fakeSES records what the SES client would have sent: the AWS network
// boundary is where a fake belongs.
type fakeSES struct{ in *sesv2.SendEmailInput }

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	return &sesv2.SendEmailOutput{}, nil
}

func TestSESSendsTheSameRawMessage(t *testing.T) {
	f := &fakeSES{}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if err := (mail.SES{Client: f, Now: func() time.Time { return now }}).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	want, _ := mail.Raw(message(), now)
	got := f.in.Content.Raw.Data
	// Same message but for the random MIME boundary.
	cut := func(b []byte) string { return string(b[:bytes.Index(b, []byte("Content-Type: multipart"))]) }
	if cut(got) != cut(want) || f.in.Destination.ToAddresses[0] != message().To[0] {
		t.Fatalf("SES got\n%s", got)
	}
}
