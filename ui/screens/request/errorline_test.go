package request

import (
	"net"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
)

// A failed send says its reason once (on the summary line), then the detail
// and what to do, not the same headline twice.
func TestSendFailureSaysItsReasonOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/nothing-listens"
	ln.Close() // nothing listens there now
	f := newFixture(t, "", 120, 40)
	f.typeURL(closed)
	f.sendAndWait(t)
	if f.m.Err() == nil {
		t.Fatal("a send to a closed port succeeded")
	}
	p := common.Explain(f.m.Err())
	s := f.d.Screen()
	if n := strings.Count(s, p.Reason); n != 1 {
		t.Errorf("the reason %q is on screen %d times, want once:\n%s", p.Reason, n, s)
	}
	if p.Next != "" && !strings.Contains(strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(p.Next), " ")) {
		t.Errorf("what to do next is missing (%q):\n%s", p.Next, s)
	}
}
