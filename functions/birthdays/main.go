// Command birthdays gives members their birthday present, hourly, in each member's own time zone.
package main

import (
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/jobs/jobfunction"
)

func main() { jobfunction.Start("birthdays", jobs.NameBirthdays) }
