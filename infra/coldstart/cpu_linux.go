package coldstart

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTime is the CPU time the process pid has run so far, all its threads
// together: the first field of each thread's schedstat, in nanoseconds,
// kernel time (page faults, exec) included. Zero when it cannot be read.
func cpuTime(pid int) time.Duration {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended
		}
		ran, _, _ := strings.Cut(string(b), " ")
		ns, err := strconv.ParseInt(ran, 10, 64)
		if err == nil {
			sum += time.Duration(ns)
		}
	}
	return sum
}
