package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"innkeeper/shared/booking"
)

// MaxBody is the largest request body accepted.
const MaxBody = 64 << 10

// readJSON reads the body into dst strictly: JSON content type, at most
// MaxBody bytes, one object, no unknown fields. It returns the raw body.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) ([]byte, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("The body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, jsonProblem(err)
	}
	if dec.More() {
		return nil, badRequest("The body holds more than one JSON value.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("The body holds more than one JSON value.")
	}
	return body, nil
}

// readBody reads a JSON body as it came: JSON content type (UTF-8), at
// most MaxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"Send the body as application/json (UTF-8).")
	}
	if r.ContentLength > MaxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, badRequest("The body could not be read.")
	}
	return body, nil
}

func tooLarge() *Problem {
	return problem(http.StatusRequestEntityTooLarge, "too-large", "Body too large",
		fmt.Sprintf("The body must be at most %d bytes.", MaxBody))
}

// jsonProblem explains a decoding error in the client's terms.
func jsonProblem(err error) *Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var inv *json.InvalidUnmarshalError
	switch {
	case errors.As(err, &syn):
		return badRequest(fmt.Sprintf("The body is not valid JSON (at byte %d).", syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("The body is not valid JSON (it ends too soon).")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return badRequest("The body must be a JSON object.")
		}
		return fieldErrors(http.StatusBadRequest, "A field has the wrong JSON type.", map[string]string{field: "must be a " + jsonKind(typ.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErrors(http.StatusBadRequest, "The body has a field this endpoint does not take.", map[string]string{name: "is not a known field"})
	case errors.As(err, &inv):
		return badRequest("The body could not be decoded.")
	default:
		// Errors from our own UnmarshalJSON methods and the like.
		return badRequest("The body could not be decoded: " + strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "bool":
		return "boolean"
	case k == "string":
		return "string"
	case k == "struct", k == "map":
		return "JSON object"
	case k == "slice":
		return "JSON array"
	}
	return k
}

// dateField parses a YYYY-MM-DD field into v's errors.
func dateField(v *booking.ValidationError, field, s string) booking.Date {
	if s == "" {
		v.Add(field, "is required as YYYY-MM-DD")
		return booking.Date{}
	}
	d, err := booking.ParseDate(s)
	if err != nil {
		v.Add(field, "must be a real date as YYYY-MM-DD")
	}
	return d
}

// query reads a query string strictly: known names only, each once.
type query struct {
	vals url.Values
	v    *booking.ValidationError
}

func parseQuery(r *http.Request, known ...string) (*query, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("The query string is malformed.")
	}
	q := &query{vals: vals, v: &booking.ValidationError{}}
	for name, vs := range vals {
		ok := false
		for _, k := range known {
			ok = ok || k == name
		}
		switch {
		case !ok:
			q.v.Add(name, "is not a known parameter (known: "+strings.Join(known, ", ")+")")
		case len(vs) > 1:
			q.v.Add(name, "must be given once")
		}
	}
	return q, nil
}

func (q *query) str(name string) string { return q.vals.Get(name) }

func (q *query) date(name string, required bool) booking.Date {
	s := q.vals.Get(name)
	if s == "" && !required {
		return booking.Date{}
	}
	return dateField(q.v, name, s)
}

// stay reads a search's stay: check_in and check_out (required),
// adults (2), children (0), children_ages (none) and rooms (1), as a
// hotel's availability and the city search both take them. Given
// children_ages, children may be omitted (it is the ages' count) or must
// equal it.
func (q *query) stay() booking.Stay {
	s := booking.Stay{
		CheckIn:  q.date("check_in", true),
		CheckOut: q.date("check_out", true),
		Adults:   q.integer("adults", 2),
		Children: q.integer("children", 0),
		Rooms:    q.integer("rooms", 1),
	}
	if ages, given := q.childrenAges(); given {
		if q.vals.Has("children") && len(ages) != s.Children {
			q.v.Add("children_ages", fmt.Sprintf("lists %d ages for %d children", len(ages), s.Children))
		}
		s.Children, s.ChildrenAges = len(ages), ages
	}
	return s
}

func (q *query) integer(name string, def int) int {
	s := q.vals.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || len(s) > 6 {
		q.v.Add(name, "must be a whole number")
		return def
	}
	return n
}

// err returns the problems found, as a 422 with every field.
func (q *query) err() error {
	if q.v.Err() == nil {
		return nil
	}
	return fieldErrors(http.StatusUnprocessableEntity, "The query has invalid parameters; see errors.", q.v.Fields)
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
