//go:build !linux

package browser

import "os/exec"

// dieWithParent has no portable equivalent outside Linux: the stack's
// Close stops its helpers.
func dieWithParent(*exec.Cmd) {}
