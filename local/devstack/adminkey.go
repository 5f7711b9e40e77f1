package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"innkeeper/local/sandbox"
	"innkeeper/shared/provision"
	"innkeeper/shared/store"
	"innkeeper/shared/topology"
)

// adminKeyCommand is make admin-key STAGE=local: the admin-key event
// through the migrate function's real binary, against the devstack's
// database (created and migrated if need be), as the deployed stage's
// function is invoked. The secret goes to stdout alone, the rest to
// stderr, so KEY=$(make -s admin-key …) keeps just the key.
func adminKeyCommand(ctx context.Context, root string, args []string) error {
	fs := flag.NewFlagSet("devstack admin-key", flag.ContinueOnError)
	name := fs.String("name", "", "the key's name, e.g. who holds it")
	force := fs.Bool("force", false, "make one even where a live admin key exists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin-key: unexpected arguments %q", fs.Args())
	}
	res, err := AdminKey(ctx, Options{Root: root, Log: os.Stderr}, *name, *force)
	if err != nil {
		return err
	}
	res.Print(os.Stdout, os.Stderr, "local")
	return nil
}

// AdminKey builds the migrate function alone (unless o.Binaries has
// it), creates the database if missing and sends the function the
// admin-key event, which migrates first.
func AdminKey(ctx context.Context, o Options, name string, force bool) (provision.AdminKeyResult, error) {
	var res provision.AdminKeyResult
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(o.Root, "dist", "devstack-admin-key")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s, err := newStack(o)
	if err != nil {
		return res, err
	}
	fn, _ := topology.Innkeeper.Function("migrate")
	bin := o.Binaries[fn.Name]
	if bin == "" {
		if bin, err = sandbox.Build(ctx, o.Root, "./"+fn.Handler(), filepath.Join(o.BuildDir, fn.Name, "bootstrap"), "-X innkeeper/shared/config.Version=devstack"); err != nil {
			return res, err
		}
	}
	if _, err := store.EnsureDatabase(ctx, s.cfg.DatabaseURL); err != nil {
		return res, fmt.Errorf("database: %w (is PostgreSQL running? make services)", err)
	}
	p := sandbox.NewPool(sandbox.Config{Function: fn, Binary: bin, Env: s.functionEnv(fn), MaxConcurrency: 1, Log: o.Log})
	defer p.Close()
	out, err := p.Invoke(ctx, provision.AdminKeyEvent(name, force))
	if err != nil {
		return res, fmt.Errorf("admin-key: %w", err)
	}
	if out.FunctionError != "" {
		return res, errors.New(out.ErrorSummary())
	}
	if err := json.Unmarshal(out.Payload, &res); err != nil || res.Secret == "" {
		return res, fmt.Errorf("admin-key: the function answered no key (%v)", err)
	}
	return res, nil
}
