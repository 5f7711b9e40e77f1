package browser

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a helper process (Mailpit) when the
// test binary dies without stopping it (a panic, a timeout), so no
// orphan keeps its ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
