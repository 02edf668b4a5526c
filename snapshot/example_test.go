package snapshot_test

import (
	"fmt"
	"log"

	"github.com/snapdelta/snapdelta/snapshot"
)

func ExampleParse() {
	s, err := snapshot.Parse([]byte(`{
		"containers": [
			{"Id": "4c0b", "Names": ["/web"], "State": "running"},
			{"Id": "9f1e", "Names": ["/db"], "State": "exited"}
		]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("root:", snapshot.FormatHash(s.Hash()))

	containers, _ := s.Root().Get("containers")
	c := containers.Collection()
	fmt.Println("keyed by:", c.Rule())
	fmt.Printf("keys: %q\n", c.Keys())
	i, _ := c.Lookup("9f1e")
	state, _ := containers.Elem(i).Get("State")
	fmt.Println("9f1e is", state.Text())
	// Output:
	// root: ae413be3c766eec7
	// keyed by: Id
	// keys: ["4c0b" "9f1e"]
	// 9f1e is exited
}

func ExampleSnapshot_MarshalCanonical() {
	s, err := snapshot.Parse([]byte(` { "b": [1.0, 1e400], "a": "caf\u00e9\n" } `))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", s.MarshalCanonical())
	// Output:
	// {"a":"café\n","b":[1.0,1e400]}
}

func ExampleSyntaxError() {
	_, err := snapshot.Parse([]byte("{\n  \"a\": 01\n}"))
	fmt.Println(err)
	// Output:
	// snapshot: invalid JSON at line 2, column 9 (offset 10): invalid number, leading zero
}
