// Package realtime is Innkeeper's live channel on API Gateway WebSockets:
// who may connect and subscribe to what, the connections and
// subscriptions (kept in Redis with API Gateway's two-hour connection
// limit as their lifetime), and the pushes that tell subscribers about
// availability, their reservation, or a hotel's new bookings.
package realtime

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"innkeeper/shared/redisclient"
)

// ConnectionTTL is API Gateway's limit on a WebSocket connection's life:
// whatever a connection left behind is gone after it, even if its
// $disconnect never came.
const ConnectionTTL = 2 * time.Hour

// Principal is who holds a connection, as established at $connect.
type Principal struct {
	// Kind is anonymous, guest (Reference holds their booking) or staff
	// (Role holds the key's role).
	Kind      string `redis:"kind"`
	Reference string `redis:"reference"`
	Role      string `redis:"role"`
	// KeyID and Key (its public id) name a staff connection's API key,
	// checked again on subscribe and push (keys.go).
	KeyID int64  `redis:"key_id"`
	Key   string `redis:"key"`
}

// The kinds of principal.
const (
	Anonymous = "anonymous"
	Guest     = "guest"
	Staff     = "staff"
)

// Topics a connection can subscribe to.
func AvailabilityTopic(hotel string) string { return "hotel:" + hotel + ":availability" }

// ReservationTopic is a guest's own booking.
func ReservationTopic(reference string) string { return "reservation:" + reference }

// BookingsTopic is a hotel's feed of new bookings, for staff.
func BookingsTopic(hotel string) string { return "hotel:" + hotel + ":bookings" }

// Hub keeps connections and subscriptions in Redis.
type Hub struct {
	Redis *redisclient.Client
}

func (h *Hub) connKey(id string) string   { return h.Redis.Key("ws:conn:" + id) }
func (h *Hub) topicsKey(id string) string { return h.Redis.Key("ws:conn:" + id + ":topics") }
func (h *Hub) subsKey(topic string) string {
	return h.Redis.Key("ws:sub:" + topic)
}

// Connect records a connection and its principal.
func (h *Hub) Connect(ctx context.Context, id string, p Principal) error {
	rdb := h.Redis.Redis()
	_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HSet(ctx, h.connKey(id), "kind", p.Kind, "reference", p.Reference, "role", p.Role,
			"key_id", p.KeyID, "key", p.Key, "connected_at", time.Now().UTC().Format(time.RFC3339))
		pipe.Expire(ctx, h.connKey(id), ConnectionTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("realtime: connect %s: %w", id, err)
	}
	return nil
}

// Principal is who holds connection id; false when it is unknown.
func (h *Hub) Principal(ctx context.Context, id string) (Principal, bool, error) {
	var p Principal
	res := h.Redis.Redis().HGetAll(ctx, h.connKey(id))
	if err := res.Err(); err != nil {
		return p, false, fmt.Errorf("realtime: principal of %s: %w", id, err)
	}
	if len(res.Val()) == 0 {
		return p, false, nil
	}
	if err := res.Scan(&p); err != nil {
		return p, false, fmt.Errorf("realtime: principal of %s: %w", id, err)
	}
	return p, true, nil
}

// Subscribe adds connection id to topic.
func (h *Hub) Subscribe(ctx context.Context, id, topic string) error {
	_, err := h.Redis.Redis().TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.SAdd(ctx, h.subsKey(topic), id)
		pipe.Expire(ctx, h.subsKey(topic), ConnectionTTL)
		pipe.SAdd(ctx, h.topicsKey(id), topic)
		pipe.Expire(ctx, h.topicsKey(id), ConnectionTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("realtime: subscribe %s to %s: %w", id, topic, err)
	}
	return nil
}

// Unsubscribe removes connection id from topic.
func (h *Hub) Unsubscribe(ctx context.Context, id, topic string) error {
	_, err := h.Redis.Redis().TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.SRem(ctx, h.subsKey(topic), id)
		pipe.SRem(ctx, h.topicsKey(id), topic)
		return nil
	})
	if err != nil {
		return fmt.Errorf("realtime: unsubscribe %s from %s: %w", id, topic, err)
	}
	return nil
}

// Disconnect forgets connection id and all its subscriptions.
func (h *Hub) Disconnect(ctx context.Context, id string) error {
	rdb := h.Redis.Redis()
	topics, err := rdb.SMembers(ctx, h.topicsKey(id)).Result()
	if err != nil {
		return fmt.Errorf("realtime: disconnect %s: %w", id, err)
	}
	_, err = rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, t := range topics {
			pipe.SRem(ctx, h.subsKey(t), id)
		}
		pipe.Del(ctx, h.topicsKey(id), h.connKey(id))
		return nil
	})
	if err != nil {
		return fmt.Errorf("realtime: disconnect %s: %w", id, err)
	}
	return nil
}

// Subscribers lists the connections subscribed to topic.
func (h *Hub) Subscribers(ctx context.Context, topic string) ([]string, error) {
	ids, err := h.Redis.Redis().SMembers(ctx, h.subsKey(topic)).Result()
	if err != nil {
		return nil, fmt.Errorf("realtime: subscribers of %s: %w", topic, err)
	}
	return ids, nil
}
