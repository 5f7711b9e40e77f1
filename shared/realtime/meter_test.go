package realtime_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"innkeeper/shared/logging"
	"innkeeper/shared/meter"
	"innkeeper/shared/realtime"
)

// endLine is the attribution end line the function logged.
func endLine(t *testing.T, buf *bytes.Buffer) meter.Attribution {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if a, ok := meter.ParseAttribution(l); ok && a.Phase == meter.PhaseEnd {
			return a
		}
	}
	t.Fatalf("no end line in %s", buf.String())
	return meter.Attribution{}
}

// invoke hands the function ev as Lambda would, with a request id.
func invoke(t *testing.T, h *realtime.Handler, ev events.APIGatewayWebsocketProxyRequest) int {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-" + ev.RequestContext.ConnectionID})
	resp, err := h.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func wsEvent(kind, id, ip string) events.APIGatewayWebsocketProxyRequest {
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.EventType, ev.RequestContext.ConnectionID = kind, id
	ev.RequestContext.RouteKey = map[string]string{"CONNECT": "$connect", "DISCONNECT": "$disconnect"}[kind]
	ev.RequestContext.Identity.SourceIP = ip
	return ev
}

// A $disconnect is metered as one, and carries how long the connection
// was open: from API Gateway's connectedAt when the event has it, else
// from the hub's record of the $connect.
func TestDisconnectCarriesTheConnectionsTime(t *testing.T) {
	h, _, _ := capped(t, 10, 10)
	var buf bytes.Buffer
	h.Log = logging.New(&buf, "warn")

	if status := invoke(t, h, wsEvent("CONNECT", "conn-gw", "192.0.2.10")); status != 200 {
		t.Fatalf("connect: %d", status)
	}
	buf.Reset()
	ev := wsEvent("DISCONNECT", "conn-gw", "")
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ev.RequestContext.ConnectedAt = at.UnixMilli()
	ev.RequestContext.RequestTimeEpoch = at.Add(150*time.Second + 250*time.Millisecond).UnixMilli()
	invoke(t, h, ev)
	if a := endLine(t, &buf); a.TriggerKind != meter.TriggerWebSocketDisconnect || a.ConnectedMs != 150_250 {
		t.Errorf("from connectedAt: kind %s, connected %d ms, want websocket-disconnect, 150250", a.TriggerKind, a.ConnectedMs)
	}

	// Without connectedAt: the hub's record, made at $connect.
	if status := invoke(t, h, wsEvent("CONNECT", "conn-hub", "192.0.2.11")); status != 200 {
		t.Fatalf("connect: %d", status)
	}
	connected, ok, err := h.Hub.ConnectedAt(context.Background(), "conn-hub")
	if err != nil || !ok {
		t.Fatalf("hub has no connect time: %v %v", ok, err)
	}
	buf.Reset()
	ev.RequestContext.ConnectionID, ev.RequestContext.ConnectedAt = "conn-hub", 0
	ev.RequestContext.RequestTimeEpoch = connected.Add(61 * time.Second).UnixMilli()
	invoke(t, h, ev)
	if a := endLine(t, &buf); a.TriggerKind != meter.TriggerWebSocketDisconnect || a.ConnectedMs < 60_999 || a.ConnectedMs > 61_000 {
		t.Errorf("from the hub: kind %s, connected %d ms, want about 61000", a.TriggerKind, a.ConnectedMs)
	}
	if _, ok, _ := h.Hub.ConnectedAt(context.Background(), "conn-hub"); ok {
		t.Error("the connection is remembered after $disconnect")
	}

	// A $connect is a connect, with no time.
	buf.Reset()
	invoke(t, h, wsEvent("CONNECT", "conn-new", "192.0.2.12"))
	if a := endLine(t, &buf); a.TriggerKind != meter.TriggerWebSocketConnect || a.ConnectedMs != 0 {
		t.Errorf("$connect line: %+v", a)
	}
}

// Each post to a connection is metered as a push and billed in 32 KB
// messages; a post to a connection that is gone is not.
func TestPushesAreMetered(t *testing.T) {
	h, _, p := capped(t, 10, 10)
	ctx, inv := meter.Start(context.Background(), "worker", meter.TriggerSQS, "events", 0)
	for _, id := range []string{"a", "b"} {
		if err := h.Hub.Connect(ctx, id, realtime.Principal{Kind: realtime.Anonymous}); err != nil {
			t.Fatal(err)
		}
		if err := h.Hub.Subscribe(ctx, id, realtime.AvailabilityTopic("h")); err != nil {
			t.Fatal(err)
		}
	}
	f, err := h.Pusher.Broadcast(ctx, realtime.AvailabilityTopic("h"), realtime.AvailabilityChanged{Type: "availability.changed", Hotel: "h"})
	if err != nil || f.Sent != 2 {
		t.Fatalf("broadcast: %+v %v", f, err)
	}
	// One large message: 40 KB of nights is two 32 KB messages.
	big := realtime.AvailabilityChanged{Type: "availability.changed", Nights: []string{strings.Repeat("x", 40<<10)}}
	if err := h.Pusher.Send(ctx, "a", big); err != nil {
		t.Fatal(err)
	}
	if n := len(p.take("a")) + len(p.take("b")); n != 3 {
		t.Fatalf("%d posts, want 3", n)
	}
	if a := inv.Attribution(); a.WSPushes != 3 || a.WSPushMessages != 4 {
		t.Errorf("pushes %d, billed messages %d; want 3 and 4", a.WSPushes, a.WSPushMessages)
	}
}
