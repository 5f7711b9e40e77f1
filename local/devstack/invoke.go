package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// invokeCommand runs one event through a function's real binary, like
// `sam local invoke` without a container: the database is prepared as
// for make dev, then the response goes to stdout, followed by the REPORT
// line; the function's own output goes to stderr.
func invokeCommand(ctx context.Context, root, function, eventFile string) error {
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		return err
	}
	res, err := Invoke(ctx, Options{Root: root, Log: os.Stderr}, function, payload)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, res.Payload, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(res.Payload)
	}
	fmt.Println(pretty.String())
	fmt.Println(res.Report.String())
	if res.FunctionError != "" {
		return fmt.Errorf("%s: function error (%s)", function, res.FunctionError)
	}
	return nil
}

// Invoke builds the function, prepares the database, and runs payload
// through a fresh execution environment.
func Invoke(ctx context.Context, o Options, function string, payload []byte) (sandbox.Result, error) {
	fn, ok := topology.Innkeeper.Function(function)
	if !ok {
		return sandbox.Result{}, fmt.Errorf("no function %q in the manifest", function)
	}
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(o.Root, "dist", "devstack-invoke")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s, err := newStack(o)
	if err != nil {
		return sandbox.Result{}, err
	}
	defer s.Close()
	if err := s.prepare(ctx); err != nil {
		return sandbox.Result{}, err
	}
	p := sandbox.NewPool(sandbox.Config{Function: fn, Binary: s.binaries[fn.Name], Env: s.functionEnv(fn), MaxConcurrency: 1, Log: o.Log})
	defer p.Close()
	return p.Invoke(ctx, payload)
}
