// Package contract checks HTTP traffic against the API's OpenAPI document
// (shared/apispec) in tests: Check wraps the API handler once where the
// test suite serves it (local/testenv), so every request a test sends and
// every response the API gives is held to the document, and the test that
// made a call the document does not describe fails.
//
// It uses pb33f's libopenapi-validator, which reads OpenAPI 3.1 natively
// (JSON Schema 2020-12: type arrays, const, examples).
package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/radix"
	"github.com/pb33f/libopenapi-validator/router"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"innkeeper/shared/apispec"
)

// Validator checks requests and responses against one document.
type Validator struct {
	v validator.Validator
	// routes finds the operation a request calls in the validator's own
	// v3 model, to check a response's status code is listed for it.
	routes router.Router
	mu     sync.Mutex // the validator's caches are not documented as safe for concurrent use
}

var shared struct {
	once sync.Once
	v    *Validator
	err  error
}

// Default is the validator of apispec.Document, built once per test
// binary (building it costs tens of milliseconds).
func Default() (*Validator, error) {
	shared.once.Do(func() {
		doc, err := apispec.Document()
		if err != nil {
			shared.err = err
			return
		}
		shared.v, shared.err = New(doc)
	})
	return shared.v, shared.err
}

// New builds a validator of the OpenAPI document doc (JSON or YAML).
func New(doc []byte) (*Validator, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: parse document: %w", err)
	}
	// The document keeps the model it builds: the validator below reuses
	// this one rather than building its own.
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("contract: build the model: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("contract: build validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("contract: the document is not valid OpenAPI: %s", describe(verrs))
	}
	// Routed as the validator routes (a radix tree of the paths, servers
	// ignored), so both name the same operation.
	rt := router.NewRouter(&m.Model, router.WithPathLookup(radix.BuildPathTree(&m.Model)), router.WithPathOnlyMatching())
	return &Validator{v: v, routes: rt}, nil
}

// Check wraps h so that every exchange is checked against the API's
// document (Default); a mismatch is reported with t.Errorf, so the test
// that sent the request fails:
//
//   - every response must be documented for its operation: status code,
//     content type, body schema and the headers the document describes;
//     the status code must be listed for the operation by itself (a
//     `default` response, or a range such as 4XX, does not document it);
//   - a 500 always fails: the tests never expect the API to break, so
//     a 500 is a defect even where the document lists it; another 5xx
//     (a 503 where a test makes a dependency fail) passes only where the
//     operation lists it;
//   - a request the document says is invalid (or a route or method it
//     does not have) must not succeed: a 4xx is the right answer to bad
//     input, which tests send on purpose, and its problem body must
//     still match the document.
//
// Preflight OPTIONS requests (CORS) are passed through unchecked.
func Check(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return v.Check(t, h)
}

// Check is the package's Check with this validator.
func (v *Validator) Check(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			h.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil {
			var err error
			body, err = io.ReadAll(r.Body)
			if err != nil {
				t.Errorf("contract: %s %s: reading the request body: %v", r.Method, r.URL.Path, err)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		if msg := v.exchange(r, body, res, rec.Body.Bytes()); msg != "" {
			t.Errorf("contract: %s %s → %d: %s", r.Method, r.URL.RequestURI(), res.StatusCode, msg)
		}
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// exchange is what is wrong with one exchange, or "".
func (v *Validator) exchange(r *http.Request, reqBody []byte, res *http.Response, resBody []byte) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	// The validator reads the bodies; give it its own copies.
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	method := r.Method
	if method == http.MethodHead {
		// HEAD is served as GET, without a body.
		req.Method = http.MethodGet
	}
	var problems []string
	reqOK, reqErrs := v.v.ValidateHttpRequestSync(req)
	ok2xx := res.StatusCode >= 200 && res.StatusCode < 300
	if !reqOK && ok2xx {
		problems = append(problems, "the document says the request is invalid, yet it succeeded: "+describe(reqErrs))
	}
	if !reqOK && unrouted(reqErrs) {
		// A route or method the document lacks: only a refusal is right.
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			problems = append(problems, fmt.Sprintf("route not in the document, answered %d (want 404 or 405)", res.StatusCode))
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			problems = append(problems, "refusal of an undocumented route is "+ct+", want application/problem+json")
		}
		return strings.Join(problems, "; ")
	}
	if msg := v.listed(req, res.StatusCode); msg != "" {
		problems = append(problems, msg)
	}
	if method != http.MethodHead {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		resp := *res
		resp.Body = io.NopCloser(bytes.NewReader(resBody))
		if ok, errs := v.v.ValidateHttpResponse(req, &resp); !ok {
			problems = append(problems, "response does not match the document: "+describe(errs))
		}
	}
	return strings.Join(problems, "; ")
}

// listed is what is wrong with the status code of the answer to req, or
// "": a 500 is never right, and any other code must be listed by itself
// for req's operation. The validator alone would pass a code the
// operation does not list when it has a `default` response (or a range),
// and any code when it lists no responses at all.
func (v *Validator) listed(req *http.Request, status int) string {
	if status == http.StatusInternalServerError {
		return "500: the API failed; no test expects an internal error"
	}
	route, err := v.routes.FindRoute(req)
	if err != nil || route == nil || route.Operation == nil {
		// Not routed: the request checks report it (or, for a path the
		// validator reads otherwise, its response check does).
		return ""
	}
	op := route.Operation
	if !hasCode(op, status) {
		return fmt.Sprintf("status %d is not listed for %s %s (a default response does not count)", status, req.Method, route.Path)
	}
	return ""
}

func hasCode(op *v3.Operation, status int) bool {
	if op.Responses == nil || op.Responses.Codes == nil {
		return false
	}
	_, ok := op.Responses.Codes.Get(strconv.Itoa(status))
	return ok
}

// unrouted says the errors are about a path or method the document does
// not have.
func unrouted(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == "path" && (e.ValidationSubType == "missing" || e.ValidationSubType == "missingOperation") {
			return true
		}
	}
	return false
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Message)
		if e.Reason != "" && e.Reason != e.Message {
			b.WriteString(" (" + e.Reason + ")")
		}
		for _, s := range e.SchemaValidationErrors {
			b.WriteString(fmt.Sprintf(" [%s: %s]", s.FieldPath, s.Reason))
		}
	}
	return b.String()
}
