// Package provision is what functions/migrate answers: the schema
// migrations that every deploy's trigger asks for, and the first admin
// API key of a new stage, which nothing else can make (the API makes
// keys only for an admin).
//
// The admin key is asked for by invoking the function with the
// deployer's AWS credentials (make admin-key), never through the public
// API: whoever may invoke the function can already change the stage. The
// key's secret is in the invocation's response only, once; the function
// logs the key's public id, never its secret. Where a live admin key
// exists the request is refused unless forced: more keys are made by an
// admin through POST /v1/admin/api-keys, where each has an author, and a
// forced key is the way back in when every admin key is lost.
package provision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/store"
)

// Event is what the migrate function is sent. Any event without
// admin_key (a deploy's trigger, the devstack's start, a manual invoke)
// applies the migrations; one with admin_key applies them too, then makes
// the key.
type Event struct {
	AdminKey *AdminKeyRequest `json:"admin_key,omitempty"`
}

// AdminKeyRequest asks for an admin key named Name. Force makes one even
// where a live admin key exists.
type AdminKeyRequest struct {
	Name  string `json:"name"`
	Force bool   `json:"force,omitempty"`
}

// AdminKeyResult is the answer to an AdminKeyRequest: the key as the API
// lists it and, once, its secret.
type AdminKeyResult struct {
	Key    KeyView `json:"api_key"`
	Secret string  `json:"secret"`
	// Forced says the request was forced: the key may stand beside
	// other live admin keys.
	Forced bool `json:"forced"`
}

// Print writes the secret alone to out, so that KEY=$(make -s
// admin-key …) keeps just the key, and what it is to info.
func (r AdminKeyResult) Print(out, info io.Writer, stage string) {
	fmt.Fprintf(info, "Admin key %q of stage %s (id %d, public id %s). It is shown this once: keep it in your secret store.\n",
		r.Key.Name, stage, r.Key.ID, r.Key.PublicID)
	if r.Forced {
		fmt.Fprintln(info, "Forced: other live admin keys may exist (GET /v1/admin/api-keys lists them).")
	}
	fmt.Fprintln(out, r.Secret)
}

// KeyView is a key without its secret, with the fields of GET
// /v1/admin/api-keys.
type KeyView struct {
	ID        int64     `json:"id"`
	PublicID  string    `json:"public_id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxNameLength is the longest key name, as the API allows.
const MaxNameLength = 200

// AdminKeyEvent is the event that asks for an admin key.
func AdminKeyEvent(name string, force bool) []byte {
	b, _ := json.Marshal(Event{AdminKey: &AdminKeyRequest{Name: name, Force: force}})
	return b
}

// Handler is the migrate function's handler: it applies the pending
// migrations and, when the event asks for one, makes an admin key. It
// answers a store.MigrateResult or an AdminKeyResult.
func Handler(st *store.Store, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	migrate := store.MigrateHandler(st, log)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var ev Event
		// Events that are not objects (or not this shape) are deploy
		// triggers as before: they only migrate.
		if json.Unmarshal(raw, &ev) != nil || ev.AdminKey == nil {
			return migrate(ctx, raw)
		}
		req := *ev.AdminKey
		name := strings.TrimSpace(req.Name)
		if name == "" || len(name) > MaxNameLength {
			return nil, fmt.Errorf("admin key: a name is required, at most %d characters (make admin-key NAME=…)", MaxNameLength)
		}
		if _, err := migrate(ctx, raw); err != nil {
			return nil, err
		}
		token, _ := auth.NewAPIKey(auth.RoleAdmin)
		k, err := st.CreateFirstAdminKey(ctx, name, token, req.Force)
		if errors.Is(err, store.ErrAdminKeyExists) {
			log.WarnContext(ctx, "admin key refused: a live admin key exists", slog.String("name", name))
			return nil, errors.New("admin key: this stage has a live admin key already; an admin makes more with POST /v1/admin/api-keys, " +
				"or force one (FORCE=1) if every admin key is lost")
		}
		if err != nil {
			log.ErrorContext(ctx, "admin key failed", slog.String("error", err.Error()))
			return nil, fmt.Errorf("admin key: %w", err)
		}
		log.InfoContext(ctx, "admin key created", slog.Int64("key_id", k.ID), slog.String("public_id", k.PublicID),
			slog.String("name", k.Name), slog.Bool("forced", req.Force))
		return AdminKeyResult{
			Key:    KeyView{ID: k.ID, PublicID: k.PublicID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, CreatedAt: k.CreatedAt.UTC()},
			Secret: token, Forced: req.Force,
		}, nil
	}
}
