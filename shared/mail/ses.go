package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// SESAPI is the part of the SES v2 client SES needs.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends through Amazon SES v2 as a raw MIME message, so the
// Message-ID and headers are the same as locally.
type SES struct {
	Client SESAPI
	// ConfigurationSet, when set, tracks delivery in SES.
	ConfigurationSet string
	Now              func() time.Time
}

// Send delivers m.
func (s SES) Send(ctx context.Context, m Message) error {
	raw, err := render(m, s.Now)
	if err != nil {
		return err
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: m.To},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if _, err := s.Client.SendEmail(ctx, in); err != nil {
		return fmt.Errorf("mail: ses send: %w", err)
	}
	return nil
}

// SESActions are the IAM actions each call of SES needs, by call: the
// infra tests check that every function making a call has them. SES v2
// SendEmail with raw content is authorised as SendRawEmail.
var SESActions = map[string][]string{
	"SendEmail": {"ses:SendEmail", "ses:SendRawEmail"},
}
