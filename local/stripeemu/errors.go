package stripeemu

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The error types stripe-go turns into its typed errors.
const (
	typeCard           = "card_error"
	typeInvalidRequest = "invalid_request_error"
	typeIdempotency    = "idempotency_error"
)

// apiError is Stripe's error object, the value of {"error": …}. A card
// error carries the intent it left behind, as Stripe's does, so a caller
// can read its status and id from the error alone.
type apiError struct {
	Type          string         `json:"type"`
	Code          string         `json:"code,omitempty"`
	DeclineCode   string         `json:"decline_code,omitempty"`
	Message       string         `json:"message"`
	Param         string         `json:"param,omitempty"`
	Charge        string         `json:"charge,omitempty"`
	PaymentIntent *paymentIntent `json:"payment_intent,omitempty"`
	SetupIntent   *setupIntent   `json:"setup_intent,omitempty"`
	PaymentMethod *paymentMethod `json:"payment_method,omitempty"`
	DocURL        string         `json:"doc_url,omitempty"`
}

func errorBody(status int, e apiError) (int, []byte) {
	e.DocURL = docURL(e)
	b, err := json.Marshal(map[string]apiError{"error": e})
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","message":"the emulator could not encode its error"}}`)
	}
	return status, b
}

// docURL is the page Stripe links an error code to.
func docURL(e apiError) string {
	if e.Code == "" || e.DocURL != "" {
		return e.DocURL
	}
	return "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(e.Code, "_", "-")
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	status, b := errorBody(status, e)
	writeRaw(w, status, b, false)
}

func missing(id, param string) (int, []byte) {
	return errorBody(http.StatusNotFound, apiError{Type: typeInvalidRequest, Code: "resource_missing", Param: param, Message: "No such " + param + ": '" + id + "'"})
}

func invalid(param, msg string) (int, []byte) {
	return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "parameter_invalid", Param: param, Message: msg})
}

func missingParam(param string) (int, []byte) {
	return errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "parameter_missing", Param: param, Message: "Missing required param: " + param + "."})
}
