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

// An agent keeps the snapshot it diffs the next poll against in compact
// form: the same value and root hash, items held as compressed text and
// parsed again only when read; the next poll reuses them.
func ExampleSnapshot_CompactSharing() {
	poll1 := []byte(`{"containers":[{"Id":"4c0b","Status":"Up 3 minutes"},{"Id":"9f1e","Status":"Exited (0) 2 hours ago"}]}`)
	poll2 := []byte(`{"containers":[{"Id":"4c0b","Status":"Up 4 minutes"},{"Id":"9f1e","Status":"Exited (0) 2 hours ago"}]}`)
	cfg := snapshot.DefaultConfig()
	first, err := cfg.ParseNext(poll1, nil)
	if err != nil {
		log.Fatal(err)
	}
	kept := first.Compact()
	next, err := cfg.ParseNext(poll2, kept) // reuses the unchanged item without reading it
	if err != nil {
		log.Fatal(err)
	}
	kept = next.CompactSharing(kept)
	fmt.Println(kept.Hash() == next.Hash(), string(kept.MarshalCanonical()) == string(next.MarshalCanonical()))
	// Output: true true
}
