package coldstart

import (
	"os/exec"
	"syscall"
)

// stopWithParent has the kernel end the server should the test process die
// without stopping it.
func stopWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
