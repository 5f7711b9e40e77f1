package testenv

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill a helper process (stripe-mock) if
// the test binary dies without stopping it (a panic, an os.Exit), so no
// orphan keeps its ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
