package htmlform

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParse: whatever the page, Parse answers a page whose text is bounded
// and whose form, if any, has an absolute action and a GET or POST method.
func FuzzParse(f *testing.F) {
	f.Add(`<html><body><form method="post" action="/login"><input name="user" value="a"><input type="submit" name="action" value="approve"><button name="action" value="deny">Deny</button></form><p id="error">bad</p><code id="verifier">v1</code><div id="result" data-result="ok"></div></body></html>`)
	f.Add(`<form action="http://[::1]:1/x?y#z"><input name=a><button type=button name=b>`)
	f.Add(strings.Repeat("<div>", 600) + "deep")
	base, _ := url.Parse("http://127.0.0.1:8080/authorize")
	f.Fuzz(func(t *testing.T, page string) {
		p, err := Parse(strings.NewReader(page), base)
		if err != nil {
			return
		}
		if len(p.Text) > maxText+len("…") {
			t.Fatalf("text of %d bytes", len(p.Text))
		}
		if p.Form != nil {
			if p.Form.Action == nil || !p.Form.Action.IsAbs() {
				t.Fatalf("form action %v is not absolute", p.Form.Action)
			}
			if p.Form.Method != "GET" && p.Form.Method != "POST" {
				t.Fatalf("form method %q", p.Form.Method)
			}
		}
	})
}

func TestParseFirstForm(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8080/authorize")
	p, err := Parse(strings.NewReader(`<head><title>t</title></head><form method="post" action="/login"><input name="user" value="a"><input type="submit" name="action" value="approve"><button name="action" value="deny">Deny</button><button type="button" name="x">x</button></form><form action="/other"><input name="z"></form><p id="error"> bad </p><code id="verifier">v1</code><div id="result" data-result="ok"></div>`), base)
	if err != nil {
		t.Fatal(err)
	}
	if p.Form == nil || p.Form.Action.String() != "http://127.0.0.1:8080/login" || p.Form.Method != "POST" {
		t.Fatalf("form = %+v", p.Form)
	}
	if len(p.Form.Fields) != 1 || p.Form.Fields[0].Name != "user" || len(p.Form.Buttons) != 2 {
		t.Fatalf("fields %+v buttons %+v", p.Form.Fields, p.Form.Buttons)
	}
	if p.Error != "bad" || p.Verifier != "v1" || p.Result != "ok" {
		t.Fatalf("error %q verifier %q result %q", p.Error, p.Verifier, p.Result)
	}
	if p.Text != "Deny x bad v1" {
		t.Fatalf("text %q", p.Text)
	}
}
