//go:build unix

package pipeline

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system time so far: steadier than
// wall time on a machine busy with other work, and it counts the garbage
// collector's own threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
