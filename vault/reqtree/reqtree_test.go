package reqtree

import (
	"slices"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

func TestRequestTreeFilesRequestsUnderFolders(t *testing.T) {
	reqs := []vault.Request{
		{Name: "top"},
		{Name: "refund", Folder: []string{"Payments", "Refunds"}},
		{Name: "charge", Folder: []string{"Payments"}},
		{Name: "me", Folder: []string{"Users"}},
		{Name: "partial", Folder: []string{"Payments", "Refunds"}},
	}
	root := Of(reqs)
	if root.Name != "" || len(root.Requests) != 1 || root.Requests[0].Name != "top" {
		t.Fatalf("root = %+v", root)
	}
	if len(root.Folders) != 2 || root.Folders[0].Name != "Payments" || root.Folders[1].Name != "Users" {
		t.Fatalf("top folders in the wrong order: %+v", root.Folders)
	}
	pay := root.Folders[0]
	if len(pay.Requests) != 1 || pay.Requests[0].Name != "charge" || len(pay.Folders) != 1 {
		t.Fatalf("Payments = %+v", pay)
	}
	ref := pay.Folders[0]
	if !slices.Equal(ref.Path, []string{"Payments", "Refunds"}) || len(ref.Requests) != 2 || ref.Requests[1].Name != "partial" {
		t.Fatalf("Refunds = %+v", ref)
	}
	if !slices.Equal(pay.Path, []string{"Payments"}) {
		t.Errorf("Payments' path changed to %v when a sub-folder was added", pay.Path)
	}
	if root.Count() != 5 || pay.Count() != 3 || ref.Count() != 2 {
		t.Errorf("counts %d %d %d", root.Count(), pay.Count(), ref.Count())
	}
}
