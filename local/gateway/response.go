package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadResponse is what ParseResponse returns (wrapped) for a payload the
// HTTP API would answer with 500 Internal Server Error.
var ErrBadResponse = errors.New("gateway: malformed function response")

// defaultContentType is what the HTTP API sends for a structured response
// that names no content type. AWS does not document it; users of payload
// format 2.0 report text/plain (awslabs/aws-lambda-go-api-proxy#116,
// quarkusio/quarkus#15909).
const defaultContentType = "text/plain"

// ParseResponse reads a function's response payload as the HTTP API does
// in format 2.0. A JSON object with a statusCode field is a structured
// response. Any other valid JSON (an object without statusCode, a string,
// a number) is the body of an inferred response: status 200,
// content-type application/json. Invalid JSON, a statusCode that is not a
// number from 200 to 599, or a base64 body that does not decode are
// errors. multiValueHeaders is decoded but, as format 2.0 has no such
// field, the gateway ignores it.
func ParseResponse(payload []byte) (events.APIGatewayV2HTTPResponse, error) {
	if !json.Valid(payload) {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: not JSON", ErrBadResponse)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) == nil {
		if _, ok := fields["statusCode"]; ok {
			var res events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(payload, &res); err != nil {
				return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %w", ErrBadResponse, err)
			}
			if res.StatusCode < 200 || res.StatusCode > 599 {
				return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: statusCode %d", ErrBadResponse, res.StatusCode)
			}
			if _, err := responseBody(res); err != nil {
				return events.APIGatewayV2HTTPResponse{}, err
			}
			return res, nil
		}
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(payload),
	}, nil
}

// responseBody is the body to send, decoded from base64 when it is so
// encoded.
func responseBody(res events.APIGatewayV2HTTPResponse) ([]byte, error) {
	if !res.IsBase64Encoded {
		return []byte(res.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: base64 body: %w", ErrBadResponse, err)
	}
	return b, nil
}

// framing headers are the gateway's to set, whatever the function says.
var framing = map[string]bool{"content-length": true, "transfer-encoding": true, "connection": true}

// writeResponse sends res: its headers as they are (a value with commas
// stays one header), one Set-Cookie per cookie, the body unless the
// request was HEAD or the status has none.
func writeResponse(w http.ResponseWriter, res events.APIGatewayV2HTTPResponse, head bool) error {
	body, err := responseBody(res)
	if err != nil {
		return err
	}
	h := w.Header()
	for name, value := range res.Headers {
		if !framing[strings.ToLower(name)] {
			h.Set(name, value)
		}
	}
	for _, c := range res.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", defaultContentType)
	}
	hasBody := res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusNotModified
	if hasBody {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(res.StatusCode)
	if hasBody && !head {
		if _, err := w.Write(body); err != nil {
			return fmt.Errorf("gateway: write response: %w", err)
		}
	}
	return nil
}

// writeError sends one of the gateway's own answers, {"message": …}.
func writeError(w http.ResponseWriter, status int, message string, head bool) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if !head {
		_, _ = w.Write(body) // the client is gone; nothing to tell it
	}
}
