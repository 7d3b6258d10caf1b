package interchange

import (
	"slices"
	"testing"
)

// TestImportInsomniaGroupCycle imports an export whose request groups name
// each other as parents (a hand-edited or damaged file): the walks up the
// groups, for the folder path and for inherited auth, visit each group once
// and end. Before, a request in such a loop with no auth on any of its
// groups never finished importing.
func TestImportInsomniaGroupCycle(t *testing.T) {
	t.Parallel()
	data := []byte(`{"_type":"export","__export_format":4,"resources":[
{"_id":"wrk_1","_type":"workspace","name":"W"},
{"_id":"fld_a","_type":"request_group","parentId":"fld_b","name":"A","authentication":{"type":"inherit"}},
{"_id":"fld_b","_type":"request_group","parentId":"fld_a","name":"B"},
{"_id":"fld_c","_type":"request_group","parentId":"fld_d","name":"C","authentication":{"type":"inherit"}},
{"_id":"fld_d","_type":"request_group","parentId":"fld_c","name":"D","authentication":{"type":"bearer","token":"{{ _.token }}"}},
{"_id":"req_1","_type":"request","parentId":"fld_a","name":"R1","method":"GET","url":"https://example.com/1","authentication":{"type":"inherit"}},
{"_id":"req_2","_type":"request","parentId":"fld_c","name":"R2","method":"GET","url":"https://example.com/2","authentication":{}}]}`)
	b, _, err := ParseInsomnia(data, RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatalf("ParseInsomnia: %v", err)
	}
	byName := map[string]int{}
	for i, r := range b.Requests {
		byName[r.Name] = i
	}
	i1, ok1 := byName["R1"]
	i2, ok2 := byName["R2"]
	if !ok1 || !ok2 || len(b.Requests) != 2 {
		t.Fatalf("requests %+v, want R1 and R2", b.Requests)
	}
	r1, r2 := b.Requests[i1], b.Requests[i2]
	if !slices.Equal(r1.Folder, []string{"B", "A"}) || headerValue(r1, "Authorization") != "" || r1.Auth != "" || r1.Scheme != nil {
		t.Errorf("R1 %+v, want folder [B A] and no auth", r1)
	}
	if !slices.Equal(r2.Folder, []string{"D", "C"}) || headerValue(r2, "Authorization") != "Bearer {{token}}" {
		t.Errorf("R2 %+v, want folder [D C] and group D's bearer auth", r2)
	}
}
