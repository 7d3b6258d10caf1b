package vault

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// expirySoon is how far ahead an expiration counts as "expiring soon".
const expirySoon = 14 * 24 * time.Hour

// ParseExpiry parses a date or time given by a user or an imported file:
// RFC 3339 ("2027-01-31T12:00:00Z"), a date ("2027-01-31", end of that day
// UTC is not implied: midnight UTC), "2027-01-31 12:00", or Unix seconds.
func ParseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && n < 1<<40 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use 2027-01-31 or 2027-01-31T12:00:00Z)", s)
}

// ExpiryState classifies an expiration relative to now.
type ExpiryState int

// Expiry states.
const (
	NoExpiry ExpiryState = iota
	Valid
	ExpiringSoon
	Expired
)

// ExpiryOf classifies exp (nil = never expires) at now.
func ExpiryOf(exp *time.Time, now time.Time) ExpiryState {
	switch {
	case exp == nil || exp.IsZero():
		return NoExpiry
	case !exp.After(now):
		return Expired
	case exp.Sub(now) <= expirySoon:
		return ExpiringSoon
	}
	return Valid
}

// String returns a short marker: "", "expires soon", "expired".
func (s ExpiryState) String() string {
	switch s {
	case ExpiringSoon:
		return "expires soon"
	case Expired:
		return "expired"
	case NoExpiry, Valid:
		// no marker
	}
	return ""
}
