// Package logs makes the functions' JSON logger: one JSON object per line on
// stderr, at the level Lambda's advanced logging controls set
// (AWS_LAMBDA_LOG_LEVEL: DEBUG, INFO, WARN or ERROR; TRACE reads as DEBUG
// and FATAL as ERROR), INFO when unset. The AWS SDK's own lines go through
// it too (SDK).
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/smithy-go/logging"
)

// Level is the level AWS_LAMBDA_LOG_LEVEL names.
func Level() slog.Level {
	switch strings.ToUpper(os.Getenv("AWS_LAMBDA_LOG_LEVEL")) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// New is a JSON logger on w at Level.
func New(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: Level()}))
}

// Default is New on stderr.
func Default() *slog.Logger { return New(os.Stderr) }

// SDK is an AWS SDK logger that writes through l: the SDK's warnings at
// WARN, its debug lines at DEBUG, each with "source":"aws-sdk".
func SDK(l *slog.Logger) logging.Logger { return sdkLogger{l} }

type sdkLogger struct{ l *slog.Logger }

func (s sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	s.l.Log(context.Background(), level, fmt.Sprintf(format, v...), slog.String("source", "aws-sdk"))
}
