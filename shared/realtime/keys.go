package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/redis/go-redis/v9"

	"innkeeper/shared/auth"
)

// Staff connect with a ticket (?ticket=…), bought with their API key over
// HTTPS (POST /v1/ws-tickets), never with the key itself: URLs end up in
// proxies' and gateways' logs. A staff connection remembers its key, and
// the key is checked again whenever the connection subscribes and
// whenever a push would reach it, so a revoked or expired key's sessions
// stop at once rather than at API Gateway's two-hour limit.

// Keys spends WebSocket tickets and checks the keys behind staff
// connections.
type Keys interface {
	// RedeemWSTicket spends a ticket, once, and answers its key if the
	// ticket is unexpired and the key live; else booking.ErrNotFound.
	RedeemWSTicket(ctx context.Context, ticket string) (auth.Key, error)
	// LiveAPIKeys says which of the keys ids are neither revoked nor
	// expired.
	LiveAPIKeys(ctx context.Context, ids []int64) (map[int64]bool, error)
}

// closer is the part of the management API client that closes a
// connection; fakes of Poster that lack it leave connections open.
type closer interface {
	DeleteConnection(ctx context.Context, in *apigatewaymanagementapi.DeleteConnectionInput, opts ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.DeleteConnectionOutput, error)
}

// closes says whether Close closes connections at API Gateway too: not
// without a management API client (no WS_MANAGEMENT_ENDPOINT).
func (p *Pusher) closes() bool {
	_, ok := p.Client.(closer)
	return ok
}

// Close forgets connection id and its subscriptions and asks API Gateway
// to close it (DeleteConnection) when it has a client that can; a
// connection already gone is no error.
func (p *Pusher) Close(ctx context.Context, id string) error {
	err := p.Hub.Disconnect(ctx, id)
	if c, ok := p.Client.(closer); ok {
		_, cerr := c.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
		var gone *types.GoneException
		if cerr != nil && !errors.As(cerr, &gone) {
			err = errors.Join(err, fmt.Errorf("realtime: close %s: %w", id, cerr))
		}
	}
	return err
}

// staffKeys maps each of ids that is a staff connection to its key's id,
// in one round trip.
func (h *Hub) staffKeys(ctx context.Context, ids []string) (map[string]int64, error) {
	cmds := make([]*redis.SliceCmd, len(ids))
	_, err := h.Redis.Redis().Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = pipe.HMGet(ctx, h.connKey(id), "kind", "key_id")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("realtime: principals of %d connections: %w", len(ids), err)
	}
	out := map[string]int64{}
	for i, c := range cmds {
		v := c.Val()
		if len(v) != 2 || v[0] != Staff {
			continue
		}
		s, _ := v[1].(string)
		n, _ := strconv.ParseInt(s, 10, 64)
		out[ids[i]] = n // 0 (no key recorded) is never live
	}
	return out, nil
}

// liveOnly keeps of ids those that are not staff connections whose key
// was revoked or expired, and closes the others. When the keys cannot be
// checked, staff connections are skipped this time and kept.
func (p *Pusher) liveOnly(ctx context.Context, ids []string) ([]string, int, error) {
	if p.Keys == nil || len(ids) == 0 {
		return ids, 0, nil
	}
	staff, err := p.Hub.staffKeys(ctx, ids)
	if err != nil || len(staff) == 0 {
		return ids, 0, err
	}
	var keyIDs []int64
	for _, k := range staff {
		keyIDs = append(keyIDs, k)
	}
	live, err := p.Keys.LiveAPIKeys(ctx, keyIDs)
	if err != nil {
		p.Log.WarnContext(ctx, "staff keys not checked; their connections skipped", slog.String("error", err.Error()))
		live = nil
	}
	kept := ids[:0:0]
	dropped := 0
	for _, id := range ids {
		k, isStaff := staff[id]
		switch {
		case !isStaff || live[k]:
			kept = append(kept, id)
		case err != nil:
			dropped++
		default:
			dropped++
			p.Log.InfoContext(ctx, "closing a revoked key's connection", slog.String("connection_id", id), slog.Int64("key_id", k))
			if cerr := p.Close(ctx, id); cerr != nil {
				p.Log.WarnContext(ctx, "closing a connection failed", slog.String("connection_id", id), slog.String("error", cerr.Error()))
			}
		}
	}
	return kept, dropped, nil
}

// keyLive checks the key of a staff connection again. A connection
// whose key was revoked or expired is forgotten with its subscriptions
// and told why. Where the function can reach @connections, it is also
// closed; it is then told through @connections first, since the route's
// response would come after the close, and the answer is the zero Frame.
func (h *Handler) keyLive(ctx context.Context, id string, p Principal) (Frame, bool) {
	live, err := h.Keys.LiveAPIKeys(ctx, []int64{p.KeyID})
	if err != nil {
		return Frame{Type: "error", Code: "unavailable", Message: "try again shortly"}, false
	}
	if live[p.KeyID] {
		return Frame{}, true
	}
	revoked := Frame{Type: "error", Code: "key-revoked", Message: "the API key of this connection was revoked or has expired"}
	closes := h.Pusher.closes()
	if closes {
		if err := h.Pusher.Send(ctx, id, revoked); err != nil && !errors.Is(err, ErrGone) {
			h.Log.WarnContext(ctx, "telling a revoked key's connection failed", slog.String("connection_id", id), slog.String("error", err.Error()))
		}
	}
	if err := h.Pusher.Close(ctx, id); err != nil {
		h.Log.WarnContext(ctx, "closing a connection failed", slog.String("connection_id", id), slog.String("error", err.Error()))
	}
	if closes {
		return Frame{}, false
	}
	return revoked, false
}
