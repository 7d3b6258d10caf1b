package browse

import "github.com/authdeck/authdeck/ui/common"

// SelectItem puts the cursor on the item msg names (one just imported or
// created) when it is in the environment shown; it reports whether the
// item was found.
func (m *Model) SelectItem(msg common.SelectItemMsg) bool {
	if msg.Env != m.c.Env {
		return false
	}
	id := msg.ID
	if msg.Kind == common.ItemVariable {
		id = variableID(msg.Name)
	}
	if !m.list.Select(id) {
		return false
	}
	m.syncSelection()
	m.syncDetail()
	return true
}
