package config

import (
	"log/slog"
	"os"
)

// Fatal ends a start that failed: since a start reads only the environment
// (FromEnv), a variable is missing. It writes err as one JSON line (level
// ERROR) on stderr, the format of every other line the function logs, and
// exits 1; Lambda keeps the line in the function's log beside its
// Runtime.ExitError. (aws-lambda-go offers no way to post an init error to
// the Runtime API, so the line is the message.) An error must never hold a
// secret's value: the messages of this package and of the stores name
// fields, variables and tables, not what they hold; what fails after the
// start is logged the same way (lazy.NotReady).
func Fatal(err error) {
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("cannot start", slog.String("error", err.Error()))
	os.Exit(1)
}
