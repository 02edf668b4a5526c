package jsonpatch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/snapdelta/snapdelta/internal/jsonpatch"
)

func ExampleApply() {
	dec := json.NewDecoder(bytes.NewReader([]byte(`{"name":"web","replicas":1.0,"ports":[80]}`)))
	dec.UseNumber() // keeps 1.0 as written
	var doc any
	if err := dec.Decode(&doc); err != nil {
		fmt.Println(err)
		return
	}
	ops, err := jsonpatch.DecodePatch([]byte(`[
		{"op":"test","path":"/replicas","value":1},
		{"op":"add","path":"/ports/-","value":443},
		{"op":"replace","path":"/name","value":"api"}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	next, err := jsonpatch.Apply(doc, ops)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(next)
	fmt.Println(string(out))

	_, err = jsonpatch.Apply(doc, []jsonpatch.Op{{Op: "remove", Path: "/ports/2"}})
	fmt.Println(err)
	fmt.Println(errors.Is(err, jsonpatch.ErrPathNotFound))
	// Output:
	// {"name":"api","ports":[80,443],"replicas":1.0}
	// jsonpatch: op 0 (remove /ports/2): path not found: index 2 out of range for length 1
	// true
}

func ExampleParsePointer() {
	tokens, err := jsonpatch.ParsePointer("/metadata/labels/app.kubernetes.io~1name")
	fmt.Printf("%q %v\n", tokens, err)
	// Output: ["metadata" "labels" "app.kubernetes.io/name"] <nil>
}
