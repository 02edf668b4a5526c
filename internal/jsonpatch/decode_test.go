package jsonpatch

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestDecodePatch(t *testing.T) {
	ops := decodePatch(t, ` [
		{"op":"add","path":"/a","value":1.0,"extra":{"ignored":true}},
		{"path":"/b","op":"remove"},
		{"op":"replace","path":"","value":null},
		{"op":"move","from":"","path":""},
		{"op":"copy","from":"/x","path":"/y","value":"ignored but kept"},
		{"op":"test","path":"/n","value":[12345678901234567890,1e400]}
	] `)
	want := []Op{
		{Op: "add", Path: "/a", Value: json.Number("1.0")},
		{Op: "remove", Path: "/b"},
		{Op: "replace", Path: "", Value: nil},
		{Op: "move", From: "", Path: ""},
		{Op: "copy", From: "/x", Path: "/y", Value: "ignored but kept"},
		{Op: "test", Path: "/n", Value: []any{json.Number("12345678901234567890"), json.Number("1e400")}},
	}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("got  %#v\nwant %#v", ops, want)
	}
}

func TestDecodePatchErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ``},
		{"null", `null`},
		{"object", `{"op":"remove","path":"/a"}`},
		{"syntax", `[{"op":"remove","path":"/a"}`},
		{"trailing data", `[] []`},
		{"element not object", `[1]`},
		{"element null", `[null]`},
		{"missing op", `[{"path":"/a"}]`},
		{"missing path", `[{"op":"remove"}]`},
		{"null path", `[{"op":"remove","path":null}]`},
		{"number path", `[{"op":"remove","path":1}]`},
		{"null op", `[{"op":null,"path":"/a"}]`},
		{"unknown op", `[{"op":"spam","path":"/a","value":1}]`},
		{"op case", `[{"op":"ADD","path":"/a","value":1}]`},
		{"member case", `[{"Op":"remove","path":"/a"}]`},
		{"add without value", `[{"op":"add","path":"/a"}]`},
		{"replace without value", `[{"op":"replace","path":"/a"}]`},
		{"test without value", `[{"op":"test","path":"/a"}]`},
		{"move without from", `[{"op":"move","path":"/a"}]`},
		{"copy without from", `[{"op":"copy","path":"/a"}]`},
		{"null from", `[{"op":"copy","from":null,"path":"/a"}]`},
		{"duplicate op", `[{"op":"remove","op":"add","path":"/a","value":1}]`},
		{"duplicate path", `[{"op":"remove","path":"/a","path":"/b"}]`},
		{"duplicate value", `[{"op":"add","path":"/a","value":1,"value":2}]`},
		{"bad value", `[{"op":"add","path":"/a","value":01}]`},
		{"second op bad", `[{"op":"remove","path":"/a"},{"op":"add","path":"/a"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := DecodePatch([]byte(tt.in))
			if !errors.Is(err, ErrInvalidOp) {
				t.Errorf("DecodePatch(%s) = %v, %v; want ErrInvalidOp", tt.in, ops, err)
			}
		})
	}
}

func TestOpUnmarshalJSON(t *testing.T) {
	var ops []Op
	if err := json.Unmarshal([]byte(`[{"op":"add","path":"/a","value":1.50}]`), &ops); err != nil {
		t.Fatal(err)
	}
	if want := (Op{Op: "add", Path: "/a", Value: json.Number("1.50")}); len(ops) != 1 || !reflect.DeepEqual(ops[0], want) {
		t.Errorf("got %#v", ops)
	}
	err := json.Unmarshal([]byte(`[{"op":"test","path":"/a"}]`), &ops)
	if !errors.Is(err, ErrInvalidOp) {
		t.Errorf("missing value: %v", err)
	}
}

func TestOpMarshalJSON(t *testing.T) {
	tests := []struct {
		op   Op
		want string
	}{
		{Op{Op: "add", Path: "/a~1b\"\x01é", Value: json.Number("1.0")}, `{"op":"add","path":"/a~1b\"\u0001é","value":1.0}`},
		{Op{Op: "add", Path: "/a"}, `{"op":"add","path":"/a","value":null}`},
		{Op{Op: "remove", Path: "/a"}, `{"op":"remove","path":"/a"}`},
		{Op{Op: "move", From: "", Path: "/a"}, `{"op":"move","path":"/a","from":""}`},
		{Op{Op: "test", Path: "", Value: map[string]any{"b": []any{}, "a": "x"}}, `{"op":"test","path":"","value":{"a":"x","b":[]}}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.op)
		if err != nil {
			t.Errorf("Marshal(%#v): %v", tt.op, err)
			continue
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%#v) = %s, want %s", tt.op, b, tt.want)
		}
		var back Op
		if err := json.Unmarshal(b, &back); err != nil || !Equal(back.Value, tt.op.Value) || back.Op != tt.op.Op || back.Path != tt.op.Path || back.From != tt.op.From {
			t.Errorf("round trip of %s = %#v, %v", b, back, err)
		}
	}
	if _, err := json.Marshal(Op{Op: "add", Path: "/a", Value: json.Number("x")}); err == nil {
		t.Error("invalid json.Number marshalled without error")
	}
}
