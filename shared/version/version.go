// Package version says which release of Fidelio is running: the semantic
// version, kept here and nowhere else (template.yaml's SemanticVersion and
// CHANGELOG.md's latest release are held to it by tests), and the commit it
// was built from.
package version

import (
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
)

// Version is the release, in semantic versioning.
const Version = "0.1.0"

// commit is stamped at build time by the Makefile:
// -ldflags '-X github.com/fidelio/fidelio/shared/version.commit=<sha>'.
var commit string

// Commit is the commit the binary was built from: the stamped one, else the
// one Go records when it builds in a checkout (vcs.revision, with "+dirty"
// for uncommitted changes), else "unknown" (a build outside any checkout).
func Commit() string { return commitOnce() }

var commitOnce = sync.OnceValue(func() string {
	if commit != "" {
		return commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "unknown"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "+dirty"
	}
	return revision
})

// LogStart writes the line a function writes once as it starts, in the
// JSON of every other line it logs: which function, release and commit.
func LogStart(function string) {
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Info("start",
		slog.String("function", function), slog.String("version", Version), slog.String("commit", Commit()))
}
