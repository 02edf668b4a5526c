package delta_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

func ExampleDiff() {
	base, _ := snapshot.Parse([]byte(`{"containers":[
		{"Id":"a1","Image":"nginx","State":"running","Status":"Up 3 minutes"},
		{"Id":"b2","Image":"redis","State":"running","Status":"Up 3 minutes"}],
		"info":{"ContainersRunning":2}}`))
	next, _ := snapshot.Parse([]byte(`{"containers":[
		{"Id":"c3","Image":"postgres","State":"running","Status":"Up 1 second"},
		{"Id":"a1","Image":"nginx","State":"running","Status":"Up 3 minutes"},
		{"Id":"b2","Image":"redis","State":"exited","Status":"Exited (0) 1 second ago"}],
		"info":{"ContainersRunning":2}}`))

	d, err := delta.Diff(base, next)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range d.Edits {
		fmt.Println(e.Kind, delta.PathString(e.Path))
		if c := e.Collection; c != nil {
			for _, it := range c.Put {
				fmt.Printf("  put %s at %d\n", it.Key, it.Index)
			}
			for _, p := range c.Patch {
				for _, op := range p.Ops {
					fmt.Printf("  patch %s: %s %s %s\n", p.Key, op.Kind, op.Path, snapshot.AppendCanonical(nil, op.Value))
				}
			}
		}
	}
	// Output:
	// collection /containers
	//   put c3 at 0
	//   patch b2: replace /State "exited"
	//   patch b2: replace /Status "Exited (0) 1 second ago"
}

func ExampleApply() {
	base, _ := snapshot.Parse([]byte(`{"volumes":[{"Name":"db"},{"Name":"web"}],"version":1.0}`))
	next, _ := snapshot.Parse([]byte(`{"volumes":[{"Name":"cache"},{"Name":"db"}],"version":1.10}`))
	d, err := delta.Diff(base, next)
	if err != nil {
		log.Fatal(err)
	}

	// The receiver holds base and gets d; Apply checks both root hashes.
	got, err := delta.Apply(base, d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(got.MarshalCanonical()))
	fmt.Println(got.Hash() == next.Hash())

	// A delta made for another base is refused.
	_, err = delta.Apply(next, d)
	fmt.Println(errors.Is(err, delta.ErrUnknownBase))
	// Output:
	// {"version":1.10,"volumes":[{"Name":"cache"},{"Name":"db"}]}
	// true
	// true
}
