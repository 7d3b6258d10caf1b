package list

import "testing"

// A row's name wins over its hint and its badge: the hint goes first, then
// the badge's word (its dot stays), and only then is the name cut.
func TestNamesWinOverBadges(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                string
		w, nameW, hintW, bW int
		want                rowFit
	}{
		{"everything fits", 40, 10, 6, 7, rowFit{name: 10, hint: true, badge: badgeWhole}},
		{"the hint goes first", 20, 10, 6, 7, rowFit{name: 10, badge: badgeWhole}},
		{"then the badge's word", 14, 12, 6, 7, rowFit{name: 12, badge: badgeDot}},
		{"then the name is cut, the dot kept", 10, 12, 6, 7, rowFit{name: 8, badge: badgeDot}},
		{"too narrow for a dot", 5, 12, 0, 7, rowFit{name: 5}},
		{"no badge: the name is cut", 8, 12, 6, 0, rowFit{name: 8}},
		{"no hint, no badge", 30, 12, 0, 0, rowFit{name: 12}},
	} {
		if got := fitRow(tt.w, tt.nameW, tt.hintW, tt.bW); got != tt.want {
			t.Errorf("%s: fitRow(%d, %d, %d, %d) = %+v, want %+v", tt.name, tt.w, tt.nameW, tt.hintW, tt.bW, got, tt.want)
		}
	}
}
