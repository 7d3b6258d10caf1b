package ui

import (
	"fmt"
	"testing"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

func TestDbg(t *testing.T) {
	v := vault.NewMemory()
	cat, _ := v.Load()
	m := New(Options{Vault: v, Catalog: cat, Dark: true})
	d := uitest.New(t, m, 100, 30)
	d.Press("n")
	d.Press("3")
	fmt.Println(d.Screen())
	d.Type("mykey")
	d.Press("enter")
	fmt.Println(d.Screen())
}
