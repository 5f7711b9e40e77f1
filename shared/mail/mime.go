package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"sort"
	"time"
)

// Raw renders m as an RFC 5322 message with a multipart/alternative body
// (text first, HTML preferred), quoted-printable, UTF-8 headers encoded.
func Raw(m Message, now time.Time) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	header("From", encodeAddress(m.From))
	to := ""
	for i, t := range m.To {
		if i > 0 {
			to += ", "
		}
		to += encodeAddress(t)
	}
	header("To", to)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	if m.ID != "" {
		header("Message-ID", "<"+m.ID+">")
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		header(textproto.CanonicalMIMEHeaderKey(k), mime.QEncoding.Encode("utf-8", m.Headers[k]))
	}
	header("MIME-Version", "1.0")

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	var b [12]byte
	_, _ = rand.Read(b[:])
	if err := w.SetBoundary("innkeeper-" + hex.EncodeToString(b[:])); err != nil {
		return nil, err
	}
	header("Content-Type", "multipart/alternative; boundary="+w.Boundary())
	buf.WriteString("\r\n")
	for _, part := range []struct{ ctype, content string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if part.content == "" {
			continue
		}
		pw, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.Write(body.Bytes())
	return buf.Bytes(), nil
}

// render is Raw at now(), or at the time when now is nil.
func render(m Message, now func() time.Time) ([]byte, error) {
	if now == nil {
		now = time.Now
	}
	return Raw(m, now())
}

// encodeAddress encodes a display name that is not plain ASCII.
func encodeAddress(a string) string {
	addr, err := parse(a)
	if err != nil {
		return a
	}
	return addr.String()
}
