package wsgateway_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/coder/websocket"

	"innkeeper/local/wsgateway"
)

// rawManagement makes a management call without the SDK and returns the
// status and body.
func rawManagement(t *testing.T, e *env, method, id string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.g.ManagementEndpoint(e.url)+"/@connections/"+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func post(e *env, id string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err := e.mgmt.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: data})
	return err
}

func TestPostToConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	big := []byte(strings.Repeat("é", wsgateway.MaxMessage/2)) // 128 KB of two-byte runes
	tests := []struct {
		name     string
		data     []byte
		wantType websocket.MessageType
	}{
		{"text", []byte(`{"type":"availability","rooms":3}`), websocket.MessageText},
		{"empty", []byte{}, websocket.MessageText},
		{"not UTF-8 goes as binary", []byte{0xff, 0xfe, 0x00}, websocket.MessageBinary},
		{"128 KB, over several frames", big, websocket.MessageText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := post(e, id, tt.data); err != nil {
				t.Fatal(err)
			}
			typ, got := read(t, c)
			if typ != tt.wantType {
				t.Errorf("type %v, want %v", typ, tt.wantType)
			}
			if !bytes.Equal(got, tt.data) {
				t.Errorf("client got %d bytes %.40q, want %d bytes %.40q", len(got), got, len(tt.data), tt.data)
			}
		})
	}
}

func TestPostTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	_, id := e.dial(t, "")
	err := post(e, id, bytes.Repeat([]byte("a"), wsgateway.MaxMessage+1))
	var tooLarge *types.PayloadTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Fatalf("error %v (%T), want a PayloadTooLargeException", err, err)
	}
	if got := e.g.Connections(); got != 1 {
		t.Errorf("Connections() = %d, want the connection still open", got)
	}
}

func TestGetConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"innkeeper-test/2.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	id := e.inv.waitCalls(t, "$connect", 1)[0].event.RequestContext.ConnectionID

	get := func() *apigatewaymanagementapi.GetConnectionOutput {
		t.Helper()
		out, err := e.mgmt.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := get()
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"connectedAt", out.ConnectedAt.UTC(), at.UTC()},
		{"lastActiveAt starts at connectedAt", out.LastActiveAt.UTC(), at.UTC()},
		{"identity.sourceIp", aws.ToString(out.Identity.SourceIp), "127.0.0.1"},
		{"identity.userAgent", aws.ToString(out.Identity.UserAgent), "innkeeper-test/2.0"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}

	// A message from the client, and one to it, are activity.
	e.clock.advance(time.Minute)
	write(t, c, `{"action":"subscribe"}`)
	e.inv.waitCalls(t, "subscribe", 1)
	if got := get().LastActiveAt.UTC(); !got.Equal(at.Add(time.Minute).UTC()) {
		t.Errorf("lastActiveAt after a message %v, want %v", got, at.Add(time.Minute).UTC())
	}
	e.clock.advance(time.Minute)
	if err := post(e, id, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if got := get(); !got.LastActiveAt.Equal(at.Add(2*time.Minute)) || !got.ConnectedAt.Equal(at) {
		t.Errorf("after a post: lastActiveAt %v, connectedAt %v", got.LastActiveAt, got.ConnectedAt)
	}
}

func TestDeleteConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := e.mgmt.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	// Gone at once, while the close handshake goes on.
	_, err := e.mgmt.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	var gone *types.GoneException
	if !errors.As(err, &gone) {
		t.Errorf("GetConnection after DeleteConnection: %v, want GoneException", err)
	}
	if code, _ := closed(t, c); code != websocket.StatusNormalClosure {
		t.Errorf("client saw close %v, want %v", code, websocket.StatusNormalClosure)
	}
	d := disconnectOf(t, e, id)
	if d.RequestContext.EventType != "DISCONNECT" || d.RequestContext.DisconnectStatusCode != int64(websocket.StatusNormalClosure) {
		t.Errorf("disconnect event %+v", d.RequestContext)
	}
	// A second delete is gone; once everything has settled there was one
	// $disconnect.
	_, err = e.mgmt.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
	if !errors.As(err, &gone) {
		t.Errorf("second DeleteConnection: %v, want GoneException", err)
	}
	e.g.Close()
	if n := len(e.inv.callsOf("$disconnect")); n != 1 {
		t.Errorf("%d $disconnect invocations, want 1", n)
	}
	if got := e.g.Connections(); got != 0 {
		t.Errorf("Connections() = %d, want 0", got)
	}
}

func TestGoneException(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, closedID := e.dial(t, "")
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	disconnectOf(t, e, closedID)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ops := []struct {
		name string
		call func(id string) error
	}{
		{"PostToConnection", func(id string) error { return post(e, id, []byte("hello")) }},
		{"GetConnection", func(id string) error {
			_, err := e.mgmt.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
			return err
		}},
		{"DeleteConnection", func(id string) error {
			_, err := e.mgmt.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
			return err
		}},
	}
	ids := []struct{ name, id string }{{"unknown id", "AAAAAAAAAAAAAAA="}, {"closed id", closedID}}
	for _, op := range ops {
		for _, id := range ids {
			t.Run(op.name+" to "+id.name, func(t *testing.T) {
				err := op.call(id.id)
				var gone *types.GoneException
				if !errors.As(err, &gone) {
					t.Fatalf("error %v (%T), want *types.GoneException", err, err)
				}
			})
		}
	}

	// On the wire, as AWS answers.
	req, _ := http.NewRequest(http.MethodPost, e.g.ManagementEndpoint(e.url)+"/@connections/"+url.PathEscape(closedID), strings.NewReader("x"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusGone || resp.Header.Get("x-amzn-ErrorType") != "GoneException" || string(body) != `{"message":null}` {
		t.Errorf("got %d, x-amzn-ErrorType %q, body %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
	}
}

// The endpoint without the stage is the usual mistake; AWS answers it
// with ForbiddenException.
func TestManagementWithoutStageIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	_, id := e.dial(t, "")
	client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(e.url),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")})
	var forbidden *types.ForbiddenException
	if !errors.As(err, &forbidden) {
		t.Fatalf("error %v (%T), want *types.ForbiddenException", err, err)
	}
}

func TestManagementEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stage string
		base  string
		want  string
	}{
		{"manifest stage", "", "http://127.0.0.1:3001", "http://127.0.0.1:3001/live"},
		{"trailing slash", "", "http://127.0.0.1:3001/", "http://127.0.0.1:3001/live"},
		{"stage option", "dev", "http://localhost:9", "http://localhost:9/dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := wsgateway.New(fullAPI, &fakeInvoker{}, wsgateway.Options{Stage: tt.stage})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if got := g.ManagementEndpoint(tt.base); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
