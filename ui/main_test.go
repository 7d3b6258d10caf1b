package ui

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Golden views print local times; pin the zone so they match anywhere.
	time.Local = time.UTC
	// The playground logs through the default logger; keep test output clean.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
