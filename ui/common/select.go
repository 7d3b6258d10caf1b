package common

// ItemKind names the kind of an item a list shows.
type ItemKind string

// Item kinds.
const (
	ItemClient   ItemKind = "client"
	ItemSecret   ItemKind = "secret"
	ItemVariable ItemKind = "variable"
	ItemRequest  ItemKind = "request"
)

// SelectItemMsg asks the screens listing Env's items to put the cursor on
// one (the item just created or imported). ID is the catalog ID of a
// client, secret or request; a variable is named by Name.
type SelectItemMsg struct {
	Env  string
	Kind ItemKind
	ID   string
	Name string
}

// ItemSelector is a screen that can put its cursor on an item; the root
// model hands it SelectItemMsg.
type ItemSelector interface {
	SelectItem(msg SelectItemMsg) bool
}
