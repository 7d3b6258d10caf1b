package themes_test

import (
	"fmt"

	"github.com/authdeck/authdeck/themes"
)

// A theme file with only a dark palette uses it on every terminal; a
// mistake is reported with the file and the place.
func ExampleParse() {
	t, err := themes.Parse([]byte(`{"name": "night", "dark": {"foreground": "#D8DEE9", "accent": "#88C0D0"}}`), "night.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name, t.Adaptive(), t.Variant(false).Accent)

	_, err = themes.Parse([]byte(`{"name": "night", "dark": {"acent": "#88C0D0"}}`), "night.json")
	fmt.Println(err)
	// Output:
	// night false #88C0D0
	// night.json: unknown field "acent"
}

// The built-in themes, in the order the TUI cycles through them; NO_COLOR
// chooses the monochrome one whatever was saved.
func ExampleBuiltin() {
	var names []string
	for _, t := range themes.Builtin() {
		names = append(names, t.Name)
	}
	fmt.Println(names)
	fmt.Println(themes.Next(names, "mono"))
	fmt.Println(themes.Choose("dusk", "1"), themes.Choose("dusk", ""))
	// Output:
	// [authdeck paper contrast dusk mono]
	// authdeck
	// mono dusk
}
