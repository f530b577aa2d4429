//go:build !linux

package coldstart

import "time"

// cpuTime is not measured off Linux.
func cpuTime(int) time.Duration { return 0 }
