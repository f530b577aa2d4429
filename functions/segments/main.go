// Command segments recomputes the program's RFM quintiles from the segment
// counters and folds the counters of months gone, nightly.
package main

import (
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/jobs/jobfunction"
)

func main() { jobfunction.Start("segments", jobs.NameSegments) }
