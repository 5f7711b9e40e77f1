//go:build !linux

package sandbox

import "os/exec"

// dieWithParent has no portable equivalent off Linux; Close still stops
// every process on a normal shutdown.
func dieWithParent(*exec.Cmd) {}
