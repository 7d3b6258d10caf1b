package ui

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Golden views print local times; pin the zone so they match anywhere.
	time.Local = time.UTC
	os.Exit(m.Run())
}
