package sandbox

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the function's process if the
// devstack itself dies without cleaning up, so no orphan keeps a port or
// a database connection.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
