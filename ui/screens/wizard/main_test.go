package wizard

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

const uitestTimeout = 15 * time.Second

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
