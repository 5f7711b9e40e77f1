package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// keyColumns are read by scanKey, in its order, from api_keys as k.
const keyColumns = `k.id, k.public_id, k.name, k.role, k.prefix, k.created_at, k.expires_at, k.last_used_at, k.revoked_at`

// live is the condition on api_keys (as k) for a key that may act now.
const live = `k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`

func scanKey(row pgx.Row) (auth.Key, error) {
	var k auth.Key
	var role string
	err := row.Scan(&k.ID, &k.PublicID, &k.Name, &role, &k.Prefix, &k.CreatedAt, &k.ExpiresAt, &k.LastUsedAt, &k.RevokedAt)
	k.Role = auth.Role(role)
	return k, err
}

// CreateAPIKey stores a key as the system's seed (booking.ActorSeed)
// would: the fixed keys of local stacks and tests; see CreateAPIKeyBy.
func (s *Store) CreateAPIKey(ctx context.Context, name string, role auth.Role, token string, expires *time.Time) (auth.Key, error) {
	return s.CreateAPIKeyBy(ctx, booking.BySystem(booking.ActorSeed), name, role, token, expires)
}

// keyAudit is what the audit trail keeps of a key: never its secret nor
// its hash.
func keyAudit(k auth.Key) map[string]any {
	return map[string]any{"id": k.ID, "public_id": k.PublicID, "name": k.Name, "role": string(k.Role), "prefix": k.Prefix,
		"expires_at": k.ExpiresAt, "revoked_at": k.RevokedAt}
}

// CreateAPIKeyBy stores a staff key by its hash, with the public id its
// text carries (a text without one, such as the fixed development key,
// gets a random one) and an expiry (nil: never), and records by in the
// audit trail. Storing the same hash again keeps one key and makes it
// live (the seed of a fixed development key runs at every start); that
// is recorded only when it changed the key, so a seed at every start
// leaves one row, not one a start.
func (s *Store) CreateAPIKeyBy(ctx context.Context, by booking.Audit, name string, role auth.Role, token string, expires *time.Time) (auth.Key, error) {
	var k auth.Key
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var was *auth.Key
		old, err := scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys k WHERE k.key_hash = $1 FOR UPDATE`, auth.Hash(token)))
		switch {
		case err == nil:
			was = &old
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		k, err = scanKey(tx.QueryRow(ctx, `INSERT INTO api_keys AS k (name, role, key_hash, prefix, public_id, expires_at)
			VALUES ($1, $2, $3, $4, COALESCE(NULLIF($5, ''), substr(md5(gen_random_uuid()::text), 1, 12)), $6)
			ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role,
				expires_at = EXCLUDED.expires_at, revoked_at = NULL
			RETURNING `+keyColumns, name, string(role), auth.Hash(token), auth.KeyPrefix(token), auth.PublicIDOf(token), expires))
		if err != nil {
			return err
		}
		if was == nil {
			return auditEntity(ctx, tx, by.As(booking.ActionAPIKeyCreate), "", "api_key", k.PublicID, nil, keyAudit(k))
		}
		if sameKey(*was, k) {
			return nil
		}
		return auditEntity(ctx, tx, by.As(booking.ActionAPIKeyCreate), "", "api_key", k.PublicID, keyAudit(*was), keyAudit(k))
	})
	return k, classify("create api key", err)
}

// sameKey reports whether storing a key again left it as it was.
func sameKey(a, b auth.Key) bool {
	sameExpiry := (a.ExpiresAt == nil) == (b.ExpiresAt == nil) && (a.ExpiresAt == nil || a.ExpiresAt.Equal(*b.ExpiresAt))
	return a.Name == b.Name && a.Role == b.Role && sameExpiry && a.RevokedAt == nil && b.RevokedAt == nil
}

// APIKey finds the live key whose secret is token and notes its use (to
// the minute, so a busy key is written once a minute, not per request);
// an unknown, revoked or expired key is booking.ErrNotFound.
func (s *Store) APIKey(ctx context.Context, token string) (auth.Key, error) {
	k, err := scanKey(s.pool.QueryRow(ctx, `WITH k AS (
			SELECT `+keyColumns+` FROM api_keys k WHERE key_hash = $1 AND `+live+`
		), used AS (
			UPDATE api_keys a SET last_used_at = now() FROM k
			WHERE a.id = k.id AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute')
		)
		SELECT `+keyColumns+` FROM k`, auth.Hash(token)))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("api key: %w", booking.ErrNotFound)
	}
	return k, classify("api key", err)
}

// APIKeys lists every key, revoked and expired ones too, oldest first.
func (s *Store) APIKeys(ctx context.Context) ([]auth.Key, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM api_keys k ORDER BY k.id`)
	if err != nil {
		return nil, classify("api keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Key, error) { return scanKey(r) })
	return keys, classify("api keys", err)
}

// RevokeAPIKey revokes key id from now on; revoking a revoked key changes
// nothing. An unknown id is booking.ErrNotFound; the last live admin key
// is auth.ErrLastAdminKey. The live admin keys are locked first, so two
// admins revoking each other's keys at once cannot both succeed.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64) error {
	return s.RevokeAPIKeyBy(ctx, booking.BySystem(booking.ActorSeed), id)
}

// RevokeAPIKeyBy is RevokeAPIKey asked by by, whom the audit trail
// records beside the key's public id, when it revoked something.
func (s *Store) RevokeAPIKeyBy(ctx context.Context, by booking.Audit, id int64) error {
	return s.inTx(ctx, "revoke api key", nil, func(*pgx.Batch) {}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT k.id FROM api_keys k WHERE k.role = 'admin' AND `+live+` ORDER BY k.id FOR UPDATE`)
		if err != nil {
			return fmt.Errorf("revoke api key %d: %w", id, err)
		}
		admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("revoke api key %d: %w", id, err)
		}
		was, err := scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys k WHERE k.id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("api key %d: %w", id, booking.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("revoke api key %d: %w", id, err)
		}
		if was.RevokedAt != nil {
			return nil
		}
		if len(admins) == 1 && admins[0] == id {
			return fmt.Errorf("revoke api key %d: %w", id, auth.ErrLastAdminKey)
		}
		k, err := scanKey(tx.QueryRow(ctx, `UPDATE api_keys k SET revoked_at = now() WHERE k.id = $1 RETURNING `+keyColumns, id))
		if err != nil {
			return fmt.Errorf("revoke api key %d: %w", id, err)
		}
		return auditEntity(ctx, tx, by.As(booking.ActionAPIKeyRevoke), "", "api_key", k.PublicID, keyAudit(was), keyAudit(k))
	})
}

// LiveAPIKeys says which of the keys ids may still act: not revoked, not
// expired, not deleted.
func (s *Store) LiveAPIKeys(ctx context.Context, ids []int64) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT k.id FROM api_keys k WHERE k.id = ANY($1) AND `+live, ids)
	if err != nil {
		return nil, classify("live api keys", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, classify("live api keys", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// CreateWSTicket stores ticket (by its hash) for key id, valid for ttl,
// and says until when. Tickets long expired are purged on the way; there
// are few, and each lives seconds.
func (s *Store) CreateWSTicket(ctx context.Context, keyID int64, ticket string, ttl time.Duration) (time.Time, error) {
	var expires time.Time
	err := s.pool.QueryRow(ctx, `WITH purge AS (
			DELETE FROM ws_tickets WHERE expires_at < now() - interval '1 minute'
		)
		INSERT INTO ws_tickets (ticket_hash, key_id, expires_at)
		VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
		auth.Hash(ticket), keyID, ttl.Seconds()).Scan(&expires)
	return expires, classify("create ws ticket", err)
}

// RedeemWSTicket spends ticket, once: it is deleted in the same statement
// that reads it, so two handshakes with one ticket cannot both pass. It
// answers the ticket's key if the ticket has not expired and the key is
// still live, else booking.ErrNotFound.
func (s *Store) RedeemWSTicket(ctx context.Context, ticket string) (auth.Key, error) {
	k, err := scanKey(s.pool.QueryRow(ctx, `WITH t AS (
			DELETE FROM ws_tickets WHERE ticket_hash = $1 RETURNING key_id, expires_at
		)
		SELECT `+keyColumns+` FROM t JOIN api_keys k ON k.id = t.key_id
		WHERE t.expires_at > now() AND `+live, auth.Hash(ticket)))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("ws ticket: %w", booking.ErrNotFound)
	}
	return k, classify("redeem ws ticket", err)
}

// ErrAdminKeyExists refuses a first admin key where a live admin key
// already exists: more admin keys are made through the API, by an admin.
var ErrAdminKeyExists = errors.New("store: a live admin key already exists")

// CreateFirstAdminKey stores token as an admin key named name, unless a
// live admin key exists and force is false (ErrAdminKeyExists). Forced,
// it adds a key beside the others and revokes none: it is the way back
// in when every admin key is lost. A transaction-scoped advisory lock
// serialises two first keys made at once, so only one of them is made.
func (s *Store) CreateFirstAdminKey(ctx context.Context, name, token string, force bool) (auth.Key, error) {
	var k auth.Key
	err := s.inTx(ctx, "create first admin key", nil, func(b *pgx.Batch) {
		b.Queue(`SELECT pg_advisory_xact_lock(hashtext('innkeeper.first-admin-key.' || current_schema()))`)
	}, func(tx pgx.Tx) error {
		var admins int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM api_keys k WHERE k.role = 'admin' AND `+live).Scan(&admins); err != nil {
			return fmt.Errorf("create first admin key: %w", err)
		}
		if admins > 0 && !force {
			return fmt.Errorf("create first admin key: %d live: %w", admins, ErrAdminKeyExists)
		}
		var err error
		k, err = scanKey(tx.QueryRow(ctx, `INSERT INTO api_keys AS k (name, role, key_hash, prefix, public_id)
			VALUES ($1, 'admin', $2, $3, $4) RETURNING `+keyColumns,
			name, auth.Hash(token), auth.KeyPrefix(token), auth.PublicIDOf(token)))
		if err != nil {
			return fmt.Errorf("create first admin key: %w", err)
		}
		by := booking.BySystem(booking.ActorAdminKey).As(booking.ActionAPIKeyCreate)
		if force {
			by.Reason = fmt.Sprintf("forced beside %d live admin keys", admins)
		}
		return auditEntity(ctx, tx, by, "", "api_key", k.PublicID, nil, keyAudit(k))
	})
	return k, err
}
