package wsgateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// replyBody is what a two-way route sends back to the client for its
// function's answer, as API Gateway does with a route response and a
// Lambda proxy integration: the body of a proxy response (decoded when
// isBase64Encoded), else the answer itself. An empty body sends
// nothing; an answer that is not JSON is an error.
func replyBody(payload []byte) ([]byte, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 {
		return nil, nil
	}
	if !json.Valid(payload) {
		return nil, fmt.Errorf("%w: not JSON", errBadResponse)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return payload, nil // a string, a list, a number…
	}
	if _, ok := fields["statusCode"]; !ok {
		return payload, nil
	}
	var res events.APIGatewayProxyResponse
	if err := json.Unmarshal(payload, &res); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadResponse, err)
	}
	if !res.IsBase64Encoded {
		return []byte(res.Body), nil
	}
	body, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: base64 body: %w", errBadResponse, err)
	}
	return body, nil
}
