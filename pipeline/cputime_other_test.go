//go:build !unix

package pipeline

import (
	"os"
	"time"
)

// cpuTime is not measured here: benchmarks report wall-time ratios only.
func cpuTime() time.Duration { return 0 }

// maxRSS is not measured here.
func maxRSS(*os.ProcessState) int64 { return 0 }
