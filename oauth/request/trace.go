package request

import (
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"
)

// Timing is how long each phase of the exchange took. Phases that did not
// happen (DNS for an IP literal, connect and TLS on a reused connection) are
// zero. Over redirects, DNS, Connect and TLS add up every hop's.
type Timing struct {
	DNS     time.Duration
	Connect time.Duration
	TLS     time.Duration
	// FirstByte is from the start until the first byte of the final response.
	FirstByte time.Duration
	// Total is from the start until the body was read.
	Total time.Duration
	// Reused reports that the final hop went over a kept-alive connection.
	Reused bool
}

// timer collects httptrace events; the transport may call hooks from its
// own goroutines, hence the mutex.
type timer struct {
	mu                            sync.Mutex
	start                         time.Time
	dnsStart, connStart, tlsStart time.Time
	t                             Timing
	tlsState                      *tls.ConnectionState
}

func newTimer() *timer { return &timer{start: time.Now()} }

func (tm *timer) trace() *httptrace.ClientTrace {
	lock := func(f func()) { tm.mu.Lock(); f(); tm.mu.Unlock() }
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { lock(func() { tm.dnsStart = time.Now() }) },
		DNSDone: func(httptrace.DNSDoneInfo) {
			lock(func() {
				if !tm.dnsStart.IsZero() {
					tm.t.DNS += time.Since(tm.dnsStart)
				}
			})
		},
		ConnectStart: func(string, string) { lock(func() { tm.connStart = time.Now() }) },
		ConnectDone: func(string, string, error) {
			lock(func() {
				if !tm.connStart.IsZero() {
					tm.t.Connect += time.Since(tm.connStart)
				}
			})
		},
		TLSHandshakeStart: func() { lock(func() { tm.tlsStart = time.Now() }) },
		TLSHandshakeDone: func(cs tls.ConnectionState, _ error) {
			lock(func() {
				if !tm.tlsStart.IsZero() {
					tm.t.TLS += time.Since(tm.tlsStart)
				}
				tm.tlsState = &cs
			})
		},
		GotConn:              func(info httptrace.GotConnInfo) { lock(func() { tm.t.Reused = info.Reused }) },
		GotFirstResponseByte: func() { lock(func() { tm.t.FirstByte = time.Since(tm.start) }) },
	}
}

func (tm *timer) done() Timing {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	t := tm.t
	t.Total = time.Since(tm.start)
	return t
}
