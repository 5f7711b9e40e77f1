// Package realtime is Innkeeper's live channel on API Gateway WebSockets:
// who may connect and subscribe to what, the connections and
// subscriptions (kept in Redis with API Gateway's two-hour connection
// limit as their lifetime), and the pushes that tell subscribers about
// availability, their reservation, or a hotel's new bookings.
package realtime

import (
	"context"
	"errors"
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
func (h *Hub) addrKey(name string) string { return h.Redis.Key("ws:addr:" + name) }
func (h *Hub) topicsKey(id string) string { return h.Redis.Key("ws:conn:" + id + ":topics") }
func (h *Hub) subsKey(topic string) string {
	return h.Redis.Key("ws:sub:" + topic)
}

// Connect records a connection and its principal.
func (h *Hub) Connect(ctx context.Context, id string, p Principal) error {
	rdb := h.Redis.Redis()
	_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HSet(ctx, h.connKey(id), "kind", p.Kind, "reference", p.Reference, "role", p.Role,
			"key_id", p.KeyID, "key", p.Key, "connected_at", time.Now().UTC().Format(time.RFC3339Nano))
		pipe.Expire(ctx, h.connKey(id), ConnectionTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("realtime: connect %s: %w", id, err)
	}
	return nil
}

// admitScript holds a place for connection ARGV[1] among the
// connections of one address (KEYS[1], a sorted set scored by when each
// place lapses), unless ARGV[4] places are taken; places past their time
// (ARGV[2]), left by connections whose $disconnect never came, are
// dropped first. The connection's record (KEYS[2]) keeps the address's
// name (ARGV[6]) so $disconnect can give the place back. In one script,
// so concurrent $connects of one address cannot both take the last place.
var admitScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('HSET', KEYS[2], 'addr', ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1`)

// Admit takes one of the max places of the address named addr (never the
// address itself: a keyring.Addresses name) for connection id, before it
// Connects; false when they are all taken. A place is given back by
// Disconnect, or lapses after ConnectionTTL.
func (h *Hub) Admit(ctx context.Context, id, addr string, max int) (bool, error) {
	now := time.Now()
	n, err := admitScript.Run(ctx, h.Redis.Redis(), []string{h.addrKey(addr), h.connKey(id)},
		id, now.UnixMilli(), now.Add(ConnectionTTL).UnixMilli(), max, ConnectionTTL.Milliseconds(), addr).Int()
	if err != nil {
		return false, fmt.Errorf("realtime: admit %s: %w", id, err)
	}
	return n == 1, nil
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

// ConnectedAt is when connection id was recorded by Connect; false when
// it is unknown (never connected, forgotten, or lapsed).
func (h *Hub) ConnectedAt(ctx context.Context, id string) (time.Time, bool, error) {
	v, err := h.Redis.Redis().HGet(ctx, h.connKey(id), "connected_at").Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("realtime: connected at of %s: %w", id, err)
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("realtime: connected at of %s: %w", id, err)
	}
	return at, true, nil
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

// subscribeScript adds connection ARGV[1] to topic ARGV[2] (KEYS[2]) and
// the topic to the connection's (KEYS[1]), unless the connection already
// follows ARGV[3] other topics. Atomic, so concurrent subscribes of one
// connection cannot pass the cap together.
var subscribeScript = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`)

// SubscribeAtMost adds connection id to topic unless it already follows
// max topics; false then. Subscribing again to a topic it follows is
// not one more.
func (h *Hub) SubscribeAtMost(ctx context.Context, id, topic string, max int) (bool, error) {
	n, err := subscribeScript.Run(ctx, h.Redis.Redis(), []string{h.topicsKey(id), h.subsKey(topic)},
		id, topic, max, ConnectionTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("realtime: subscribe %s to %s: %w", id, topic, err)
	}
	return n == 1, nil
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

// Disconnect forgets connection id and all its subscriptions, and gives
// back its address's place (Admit).
func (h *Hub) Disconnect(ctx context.Context, id string) error {
	rdb := h.Redis.Redis()
	topics, err := rdb.SMembers(ctx, h.topicsKey(id)).Result()
	if err != nil {
		return fmt.Errorf("realtime: disconnect %s: %w", id, err)
	}
	addr, err := rdb.HGet(ctx, h.connKey(id), "addr").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("realtime: disconnect %s: %w", id, err)
	}
	_, err = rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, t := range topics {
			pipe.SRem(ctx, h.subsKey(t), id)
		}
		if addr != "" {
			pipe.ZRem(ctx, h.addrKey(addr), id)
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
