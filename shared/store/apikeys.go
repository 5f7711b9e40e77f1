package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// CreateAPIKey stores a staff key by its hash. Storing the same hash again
// keeps one key (the seed of a fixed development key runs at every start).
func (s *Store) CreateAPIKey(ctx context.Context, name string, role auth.Role, token string) (auth.Key, error) {
	k := auth.Key{Name: name, Role: role, Prefix: auth.KeyPrefix(token)}
	err := s.pool.QueryRow(ctx, `INSERT INTO api_keys (name, role, key_hash, prefix) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, revoked_at = NULL
		RETURNING id`, name, string(role), auth.Hash(token), k.Prefix).Scan(&k.ID)
	return k, classify("create api key", err)
}

// APIKey finds the live key whose secret is token; an unknown or revoked
// key is booking.ErrNotFound.
func (s *Store) APIKey(ctx context.Context, token string) (auth.Key, error) {
	var k auth.Key
	var role string
	err := s.pool.QueryRow(ctx, `SELECT id, name, role, prefix FROM api_keys
		WHERE key_hash = $1 AND revoked_at IS NULL`, auth.Hash(token)).Scan(&k.ID, &k.Name, &role, &k.Prefix)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("api key: %w", booking.ErrNotFound)
	}
	k.Role = auth.Role(role)
	return k, classify("api key", err)
}
