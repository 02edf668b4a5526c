package jsonpatch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name, doc, patch, want string
	}{
		// add
		{"add member", `{"a":1}`, `[{"op":"add","path":"/b","value":2}]`, `{"a":1,"b":2}`},
		{"add replaces member", `{"a":1}`, `[{"op":"add","path":"/a","value":[1.0]}]`, `{"a":[1.0]}`},
		{"add empty key", `{}`, `[{"op":"add","path":"/","value":1}]`, `{"":1}`},
		{"add nested", `{"a":{"b":{}}}`, `[{"op":"add","path":"/a/b/c","value":"x"}]`, `{"a":{"b":{"c":"x"}}}`},
		{"add insert first", `[1,2]`, `[{"op":"add","path":"/0","value":0}]`, `[0,1,2]`},
		{"add insert middle", `[1,3]`, `[{"op":"add","path":"/1","value":2}]`, `[1,2,3]`},
		{"add at length", `[1,2]`, `[{"op":"add","path":"/2","value":3}]`, `[1,2,3]`},
		{"add dash", `{"a":[]}`, `[{"op":"add","path":"/a/-","value":1},{"op":"add","path":"/a/-","value":2}]`, `{"a":[1,2]}`},
		{"add into array in array", `[[1],[2]]`, `[{"op":"add","path":"/1/0","value":1.5}]`, `[[1],[1.5,2]]`},
		{"add root", `{"a":1}`, `[{"op":"add","path":"","value":[1e400]}]`, `[1e400]`},
		{"add null", `{}`, `[{"op":"add","path":"/a","value":null}]`, `{"a":null}`},
		{"add keeps literals", `{}`, `[{"op":"add","path":"/n","value":[1.0,1e400,12345678901234567890,-0.0]}]`, `{"n":[1.0,1e400,12345678901234567890,-0.0]}`},
		{"add escaped key", `{}`, `[{"op":"add","path":"/a~1b~0c","value":1}]`, `{"a/b~c":1}`},
		// remove
		{"remove member", `{"a":1,"b":2}`, `[{"op":"remove","path":"/a"}]`, `{"b":2}`},
		{"remove element", `[1,2,3]`, `[{"op":"remove","path":"/1"}]`, `[1,3]`},
		{"remove last element", `[1]`, `[{"op":"remove","path":"/0"}]`, `[]`},
		{"remove nested", `{"a":[{"b":1,"c":2}]}`, `[{"op":"remove","path":"/a/0/b"}]`, `{"a":[{"c":2}]}`},
		{"remove twice from array", `[1,2,3,4]`, `[{"op":"remove","path":"/0"},{"op":"remove","path":"/2"}]`, `[2,3]`},
		// replace
		{"replace member", `{"a":1}`, `[{"op":"replace","path":"/a","value":{"b":2.50}}]`, `{"a":{"b":2.50}}`},
		{"replace element", `[1,2]`, `[{"op":"replace","path":"/1","value":"x"}]`, `[1,"x"]`},
		{"replace root", `[1]`, `[{"op":"replace","path":"","value":"s"}]`, `"s"`},
		{"replace with null", `{"a":1}`, `[{"op":"replace","path":"/a","value":null}]`, `{"a":null}`},
		// move
		{"move member", `{"a":1,"b":{}}`, `[{"op":"move","from":"/a","path":"/b/c"}]`, `{"b":{"c":1}}`},
		{"move element forward", `[0,1,2,3]`, `[{"op":"move","from":"/1","path":"/3"}]`, `[0,2,3,1]`},
		{"move element back", `[0,1,2,3]`, `[{"op":"move","from":"/3","path":"/0"}]`, `[3,0,1,2]`},
		{"move to dash", `[0,1,2]`, `[{"op":"move","from":"/0","path":"/-"}]`, `[1,2,0]`},
		{"move to same place", `{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a"}]`, `{"a":{"b":1}}`},
		{"move to sibling prefix", `{"a":1,"ab":2}`, `[{"op":"move","from":"/a","path":"/abc"}]`, `{"ab":2,"abc":1}`},
		{"move child to root", `{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":""}]`, `{"b":1}`},
		{"move between arrays", `{"x":[1,2],"y":[3]}`, `[{"op":"move","from":"/x/0","path":"/y/1"}]`, `{"x":[2],"y":[3,1]}`},
		// copy
		{"copy member", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"}]`, `{"a":{"b":1},"c":{"b":1}}`},
		{"copy into own child", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/a/c"}]`, `{"a":{"b":1,"c":{"b":1}}}`},
		{"copy root into child", `{"a":1}`, `[{"op":"copy","from":"","path":"/b"}]`, `{"a":1,"b":{"a":1}}`},
		{"copy element", `[1,[2]]`, `[{"op":"copy","from":"/1","path":"/0"}]`, `[[2],1,[2]]`},
		// test
		{"test number spelling", `{"a":1}`, `[{"op":"test","path":"/a","value":1.0}]`, `{"a":1}`},
		{"test unordered object", `{"a":{"x":1,"y":2}}`, `[{"op":"test","path":"/a","value":{"y":2,"x":1}}]`, `{"a":{"x":1,"y":2}}`},
		{"test null", `{"a":null}`, `[{"op":"test","path":"/a","value":null}]`, `{"a":null}`},
		{"test root", `[1]`, `[{"op":"test","path":"","value":[1]}]`, `[1]`},
		{"test after change", `{}`, `[{"op":"add","path":"/a","value":1},{"op":"test","path":"/a","value":1}]`, `{"a":1}`},
		// combinations that exercise in-place editing of owned containers
		{"edit added value", `{}`, `[{"op":"add","path":"/a","value":{"b":[]}},{"op":"add","path":"/a/b/-","value":1},{"op":"replace","path":"/a/b/0","value":2}]`, `{"a":{"b":[2]}}`},
		{"edit after copy", `{"a":{"x":1}}`, `[{"op":"replace","path":"/a/x","value":2},{"op":"copy","from":"/a","path":"/b"},{"op":"replace","path":"/a/x","value":3},{"op":"add","path":"/b/y","value":4}]`, `{"a":{"x":3},"b":{"x":2,"y":4}}`},
		{"edit after move", `{"a":{"x":[1]}}`, `[{"op":"add","path":"/a/x/-","value":2},{"op":"move","from":"/a/x","path":"/b"},{"op":"add","path":"/b/-","value":3},{"op":"add","path":"/a/x","value":0}]`, `{"a":{"x":0},"b":[1,2,3]}`},
		{"many adds to one array", `[]`, `[{"op":"add","path":"/-","value":1},{"op":"add","path":"/0","value":0},{"op":"add","path":"/-","value":2},{"op":"add","path":"/1","value":0.5},{"op":"remove","path":"/0"}]`, `[0.5,1,2]`},
		{"empty patch", `{"a":1}`, `[]`, `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, tt.doc)
			got, err := Apply(doc, decodePatch(t, tt.patch))
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if g, w := canonical(t, got), canonical(t, decode(t, tt.want)); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if g, w := canonical(t, doc), canonical(t, decode(t, tt.doc)); g != w {
				t.Errorf("input document changed: %s, was %s", g, w)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, doc, patch string
		want             error
	}{
		{"add missing parent", `{"q":{}}`, `[{"op":"add","path":"/a/b","value":1}]`, ErrPathNotFound},
		{"add past end", `[1,2]`, `[{"op":"add","path":"/3","value":1}]`, ErrPathNotFound},
		{"add leading zero", `[1,2]`, `[{"op":"add","path":"/01","value":1}]`, ErrPathNotFound},
		{"add negative index", `[1,2]`, `[{"op":"add","path":"/-1","value":1}]`, ErrPathNotFound},
		{"add exponent index", `[1,2]`, `[{"op":"add","path":"/1e0","value":1}]`, ErrPathNotFound},
		{"add huge index", `[1,2]`, `[{"op":"add","path":"/99999999999999999999","value":1}]`, ErrPathNotFound},
		{"add member to array", `[1,2]`, `[{"op":"add","path":"/bar","value":1}]`, ErrPathNotFound},
		{"add under scalar", `{"a":"s"}`, `[{"op":"add","path":"/a/b","value":1}]`, ErrPathNotFound},
		{"add under null", `{"a":null}`, `[{"op":"add","path":"/a/b","value":1}]`, ErrPathNotFound},
		{"add dash mid path", `[[1]]`, `[{"op":"add","path":"/-/0","value":1}]`, ErrPathNotFound},
		{"add to scalar root", `3`, `[{"op":"add","path":"/a","value":1}]`, ErrPathNotFound},
		{"add to null root", `null`, `[{"op":"add","path":"/a","value":1}]`, ErrPathNotFound},
		{"add bad pointer", `{}`, `[{"op":"add","path":"a","value":1}]`, ErrInvalidPointer},
		{"add bad escape", `{}`, `[{"op":"add","path":"/~2","value":1}]`, ErrInvalidPointer},
		{"remove missing", `{"a":1}`, `[{"op":"remove","path":"/b"}]`, ErrPathNotFound},
		{"remove past end", `[1]`, `[{"op":"remove","path":"/1"}]`, ErrPathNotFound},
		{"remove dash", `[1]`, `[{"op":"remove","path":"/-"}]`, ErrPathNotFound},
		{"remove root", `{"a":1}`, `[{"op":"remove","path":""}]`, ErrInvalidOp},
		{"remove from scalar", `{"a":1}`, `[{"op":"remove","path":"/a/0"}]`, ErrPathNotFound},
		{"replace missing", `{"a":1}`, `[{"op":"replace","path":"/b","value":1}]`, ErrPathNotFound},
		{"replace at length", `[1]`, `[{"op":"replace","path":"/1","value":1}]`, ErrPathNotFound},
		{"replace dash", `[1]`, `[{"op":"replace","path":"/-","value":1}]`, ErrPathNotFound},
		{"move into own child", `{"a":{"b":{}}}`, `[{"op":"move","from":"/a","path":"/a/b/c"}]`, ErrInvalidOp},
		{"move root into child", `{"a":{}}`, `[{"op":"move","from":"","path":"/a/b"}]`, ErrInvalidOp},
		{"move missing from", `{"a":1}`, `[{"op":"move","from":"/b","path":"/c"}]`, ErrPathNotFound},
		{"move to missing parent", `{"a":1}`, `[{"op":"move","from":"/a","path":"/x/y"}]`, ErrPathNotFound},
		{"move bad from", `{"a":1}`, `[{"op":"move","from":"a","path":"/c"}]`, ErrInvalidPointer},
		{"move from dash", `[1]`, `[{"op":"move","from":"/-","path":"/0"}]`, ErrPathNotFound},
		{"copy missing from", `{"a":1}`, `[{"op":"copy","from":"/b","path":"/c"}]`, ErrPathNotFound},
		{"copy bad path", `{"a":1}`, `[{"op":"copy","from":"/a","path":"c"}]`, ErrInvalidPointer},
		{"copy past end", `[1]`, `[{"op":"copy","from":"/0","path":"/2"}]`, ErrPathNotFound},
		{"test differs", `{"a":"qux"}`, `[{"op":"test","path":"/a","value":"bar"}]`, ErrTestFailed},
		{"test number vs string", `{"a":10}`, `[{"op":"test","path":"/a","value":"10"}]`, ErrTestFailed},
		{"test array order", `[1,2]`, `[{"op":"test","path":"","value":[2,1]}]`, ErrTestFailed},
		{"test missing", `{}`, `[{"op":"test","path":"/a","value":null}]`, ErrPathNotFound},
		{"second op fails", `{"a":1}`, `[{"op":"remove","path":"/a"},{"op":"remove","path":"/a"}]`, ErrPathNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, tt.doc)
			got, err := Apply(doc, decodePatch(t, tt.patch))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Apply = %v, %v; want %v", got, err, tt.want)
			}
			if got != nil {
				t.Errorf("failed Apply returned a document: %v", got)
			}
			if !strings.HasPrefix(err.Error(), "jsonpatch: op ") {
				t.Errorf("error %q lacks the op context", err)
			}
			if g, w := canonical(t, doc), canonical(t, decode(t, tt.doc)); g != w {
				t.Errorf("input document changed: %s, was %s", g, w)
			}
		})
	}
}

// TestApplyBadOps covers operations DecodePatch would refuse but a Go caller
// can build.
func TestApplyBadOps(t *testing.T) {
	deep := any(json.Number("1"))
	for range maxDepth {
		deep = []any{deep}
	}
	type point struct{ X int }
	tests := []struct {
		name string
		doc  any
		op   Op
		want error
	}{
		{"missing op", map[string]any{}, Op{Path: "/a"}, ErrInvalidOp},
		{"unknown op", map[string]any{}, Op{Op: "spam", Path: "/a"}, ErrInvalidOp},
		{"op case", map[string]any{}, Op{Op: "Add", Path: "/a"}, ErrInvalidOp},
		{"float64 value", map[string]any{}, Op{Op: "add", Path: "/a", Value: 1.5}, ErrInvalidOp},
		{"int in array", map[string]any{}, Op{Op: "add", Path: "/a", Value: []any{1}}, ErrInvalidOp},
		{"struct value", map[string]any{}, Op{Op: "replace", Path: "", Value: point{1}}, ErrInvalidOp},
		{"typed map value", map[string]any{}, Op{Op: "add", Path: "/a", Value: map[string]string{}}, ErrInvalidOp},
		{"bad number literal", map[string]any{}, Op{Op: "add", Path: "/a", Value: json.Number("0x1")}, ErrInvalidOp},
		{"empty number literal", map[string]any{}, Op{Op: "add", Path: "/a", Value: json.Number("")}, ErrInvalidOp},
		{"test float64 value", map[string]any{"a": json.Number("1")}, Op{Op: "test", Path: "/a", Value: 1.0}, ErrInvalidOp},
		{"too deep at root", nil, Op{Op: "add", Path: "", Value: []any{deep}}, ErrTooLarge},
		{"too deep below", map[string]any{}, Op{Op: "add", Path: "/a", Value: deep}, ErrTooLarge},
		{"nil doc", nil, Op{Op: "add", Path: "/a", Value: nil}, ErrPathNotFound},
		{"nil doc remove root", nil, Op{Op: "remove", Path: ""}, ErrInvalidOp},
		{"float64 in doc path", map[string]any{"a": 1.0}, Op{Op: "add", Path: "/a/b", Value: nil}, ErrPathNotFound},
		{"copy foreign type", map[string]any{"a": []any{1.0}}, Op{Op: "copy", From: "/a", Path: "/b"}, ErrInvalidOp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply(tt.doc, []Op{tt.op})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Apply = %v, %v; want %v", got, err, tt.want)
			}
		})
	}

	// A Go caller may hand over nil containers; they are empty, not errors.
	got, err := Apply(map[string]any(nil), []Op{{Op: "add", Path: "/a", Value: []any(nil)}, {Op: "add", Path: "/a/-", Value: "x"}})
	if err != nil || canonical(t, got) != `{"a":["x"]}` {
		t.Errorf("nil containers: got %v, %v", got, err)
	}
	// Foreign types the patch does not touch are carried through.
	got, err = Apply(map[string]any{"f": 1.5}, []Op{{Op: "add", Path: "/a", Value: true}})
	if err != nil || !reflect.DeepEqual(got, map[string]any{"f": 1.5, "a": true}) {
		t.Errorf("foreign leaf: got %v, %v", got, err)
	}
}

func TestApplyErrorMessage(t *testing.T) {
	doc := decode(t, `{"a":{"c":1}}`)
	_, err := Apply(doc, []Op{
		{Op: "test", Path: "/a/c", Value: json.Number("1")},
		{Op: "replace", Path: "/a/b", Value: json.Number("2")},
	})
	const want = `jsonpatch: op 1 (replace /a/b): path not found: no member "b"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = Apply(doc, []Op{{Op: "move", From: "/x", Path: "/y z"}})
	const wantMove = `jsonpatch: op 0 (move "/y z" from /x): from: path not found: no member "x"`
	if err == nil || err.Error() != wantMove {
		t.Errorf("got %v\nwant %s", err, wantMove)
	}
	long := "/" + strings.Repeat("x", 1000)
	_, err = Apply(doc, []Op{{Op: "remove", Path: long}})
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("error for a long path is not truncated: %d bytes", len(err.Error()))
	}
}

func TestApplyCopyLimit(t *testing.T) {
	arr := make([]any, 1000)
	for i := range arr {
		arr[i] = json.Number(strconv.Itoa(i))
	}
	doc := map[string]any{"a": arr}
	// Each op doubles /a; without the limit 30 of them would need 2^30 × 1000 values.
	ops := make([]Op, 30)
	for i := range ops {
		ops[i] = Op{Op: "copy", From: "/a", Path: "/a/-"}
	}
	_, err := Apply(doc, ops)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Apply = %v, want ErrTooLarge", err)
	}
	if _, err := Apply(doc, ops[:5]); err != nil {
		t.Errorf("a few copies: %v", err)
	}
}

// TestApplyDoesNotShareOpValues checks that a caller may reuse op values:
// changing them after Apply must not reach the result, and Apply must not
// have changed them.
func TestApplyDoesNotShareOpValues(t *testing.T) {
	val := map[string]any{"list": []any{json.Number("1")}}
	ops := []Op{
		{Op: "add", Path: "/a", Value: val},
		{Op: "add", Path: "/a/list/-", Value: json.Number("2")},
		{Op: "replace", Path: "/b", Value: val},
		{Op: "add", Path: "/b/k", Value: "v"},
	}
	got, err := Apply(map[string]any{"b": nil}, ops)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"a":{"list":[1,2]},"b":{"k":"v","list":[1]}}`
	if g := canonical(t, got); g != want {
		t.Fatalf("got %s, want %s", g, want)
	}
	if g := canonical(t, val); g != `{"list":[1]}` {
		t.Errorf("op value changed by Apply: %s", g)
	}
	val["list"].([]any)[0] = json.Number("9")
	val["new"] = true
	if g := canonical(t, got); g != want {
		t.Errorf("result changed with the op value: %s", g)
	}
}

// TestApplySequentialEqualsBatch checks in-place editing of owned containers
// against applying each op on its own, which owns nothing beforehand.
func TestApplySequentialEqualsBatch(t *testing.T) {
	doc := decode(t, `{"a":{"x":[1,2,{"y":1}]},"b":[]}`)
	ops := decodePatch(t, `[
		{"op":"add","path":"/a/x/2/z","value":{"w":[0]}},
		{"op":"copy","from":"/a/x","path":"/b/-"},
		{"op":"add","path":"/a/x/2/z/w/-","value":1},
		{"op":"move","from":"/a/x/2","path":"/c"},
		{"op":"add","path":"/c/z/w/0","value":-1},
		{"op":"copy","from":"/c","path":"/c/self"},
		{"op":"replace","path":"/c/self/y","value":2},
		{"op":"remove","path":"/b/0/0"},
		{"op":"add","path":"/b/0/1/z/w/-","value":"only here"}
	]`)
	batch, err := Apply(doc, ops)
	if err != nil {
		t.Fatal(err)
	}
	seq := doc
	for i := range ops {
		if seq, err = Apply(seq, ops[i:i+1]); err != nil {
			t.Fatalf("op %d alone: %v", i, err)
		}
	}
	if b, s := canonical(t, batch), canonical(t, seq); b != s {
		t.Errorf("batch      %s\nsequential %s", b, s)
	}
}

// TestApplyCopiesSpineOnce checks the efficiency promise: several ops on one
// large object copy it once, and leave the subtrees they do not touch shared.
func TestApplyCopiesSpineOnce(t *testing.T) {
	root := make(map[string]any, 10000)
	for i := range 10000 {
		root["k"+strconv.Itoa(i)] = map[string]any{"n": json.Number(strconv.Itoa(i))}
	}
	ops := []Op{
		{Op: "replace", Path: "/k1/n", Value: json.Number("-1")},
		{Op: "add", Path: "/k2/m", Value: true},
		{Op: "remove", Path: "/k3"},
		{Op: "add", Path: "/new", Value: "x"},
		{Op: "replace", Path: "/k1/n", Value: json.Number("-2")},
	}
	a := applier{doc: root, owned: owned{}, copyBudget: maxCopyNodes}
	for i := range ops {
		if err := a.apply(&ops[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Containers copied: the root, /k1 and /k2. Op values here are scalars.
	if len(a.owned) != 3 {
		t.Errorf("%d containers copied, want 3", len(a.owned))
	}
	got := a.doc.(map[string]any)
	if reflect.ValueOf(got["k4"]).UnsafePointer() != reflect.ValueOf(root["k4"]).UnsafePointer() {
		t.Error("untouched member /k4 was copied")
	}
	if _, ok := root["new"]; ok || len(root) != 10000 || root["k1"].(map[string]any)["n"] != json.Number("1") {
		t.Error("input document changed")
	}
}

func BenchmarkApplyLargeObject(b *testing.B) {
	root := make(map[string]any, 10000)
	for i := range 10000 {
		root["k"+strconv.Itoa(i)] = map[string]any{"n": json.Number(strconv.Itoa(i))}
	}
	ops := []Op{
		{Op: "replace", Path: "/k1/n", Value: json.Number("-1")},
		{Op: "add", Path: "/k2/m", Value: true},
		{Op: "remove", Path: "/k3"},
		{Op: "add", Path: "/new", Value: "x"},
		{Op: "test", Path: "/k5/n", Value: json.Number("5.0")},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(root, ops); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplySmallItem(b *testing.B) {
	doc := decode(b, `{"Id":"4f2a","Names":["/web"],"State":"running","Status":"Up 3 minutes","Ports":[{"PrivatePort":80,"Type":"tcp"}],"Labels":{"a":"b"}}`)
	ops := decodePatch(b, `[{"op":"replace","path":"/Status","value":"Up 4 minutes"},{"op":"add","path":"/Labels/c","value":"d"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(doc, ops); err != nil {
			b.Fatal(err)
		}
	}
}

// TestApplyConcurrent shares one document and one patch between goroutines;
// run with -race, it fails if Apply writes to either.
func TestApplyConcurrent(t *testing.T) {
	doc := decode(t, `{"a":{"b":[1,2,3]},"c":{"d":"x"}}`)
	ops := decodePatch(t, `[{"op":"add","path":"/a/b/1","value":{"e":[]}},{"op":"add","path":"/a/b/1/e/-","value":1},{"op":"move","from":"/c/d","path":"/a/d"},{"op":"copy","from":"/a","path":"/c/a"}]`)
	const want = `{"a":{"b":[1,{"e":[1]},2,3],"d":"x"},"c":{"a":{"b":[1,{"e":[1]},2,3],"d":"x"}}}`
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := Apply(doc, ops)
			if err == nil {
				if b, _ := json.Marshal(got); string(b) != want {
					err = errors.New("wrong result " + string(b))
				}
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
