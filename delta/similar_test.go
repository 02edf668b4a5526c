package delta

import (
	"slices"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// TestSimilarItems checks that a new item's models include the base item
// most like it wherever it sorts, which its neighbours may not be.
func TestSimilarItems(t *testing.T) {
	base, err := snapshot.Parse([]byte(`{"items":[
		{"metadata":{"uid":"e1","name":"web-1.a"},"reason":"Pulled","type":"Normal","involvedObject":{"kind":"Pod","name":"web-1"},"source":{"component":"kubelet","host":"node-2"}},
		{"metadata":{"uid":"e2","name":"db.b"},"reason":"ScalingReplicaSet","type":"Normal","involvedObject":{"kind":"Deployment","name":"db"},"source":{"component":"deployment-controller"}},
		{"metadata":{"uid":"e3","name":"db.c"},"reason":"SuccessfulCreate","type":"Normal","involvedObject":{"kind":"ReplicaSet","name":"db-7f"},"source":{"component":"replicaset-controller"}},
		{"metadata":{"uid":"e4","name":"api.d"},"reason":"ScalingReplicaSet","type":"Normal","involvedObject":{"kind":"Deployment","name":"api"},"source":{"component":"deployment-controller"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	next, err := snapshot.Parse([]byte(`{"items":[
		{"metadata":{"uid":"e1","name":"web-1.a"},"reason":"Pulled","type":"Normal","involvedObject":{"kind":"Pod","name":"web-1"},"source":{"component":"kubelet","host":"node-2"}},
		{"metadata":{"uid":"e2","name":"db.b"},"reason":"ScalingReplicaSet","type":"Normal","involvedObject":{"kind":"Deployment","name":"db"},"source":{"component":"deployment-controller"}},
		{"metadata":{"uid":"e3","name":"db.c"},"reason":"SuccessfulCreate","type":"Normal","involvedObject":{"kind":"ReplicaSet","name":"db-7f"},"source":{"component":"replicaset-controller"}},
		{"metadata":{"uid":"e4","name":"api.d"},"reason":"ScalingReplicaSet","type":"Normal","involvedObject":{"kind":"Deployment","name":"api"},"source":{"component":"deployment-controller"}},
		{"metadata":{"uid":"e5","name":"web-2.e"},"reason":"Pulled","type":"Normal","involvedObject":{"kind":"Pod","name":"web-2"},"source":{"component":"kubelet","host":"node-2"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	items := func(s *snapshot.Snapshot) *snapshot.Node { n, _ := s.Root().Get("items"); return n }
	var sketches []snapshot.Sketch
	got := similarItems(items(base), items(next).Elem(4), &sketches, nil, 2)
	if len(got) != 2 || got[0] != 0 {
		t.Fatalf("similar items %v, want the other Pulled event (0) first", got)
	}
	if again := similarItems(items(base), items(next).Elem(4), &sketches, []int{0}, 1); slices.Contains(again, 0) || len(again) != 1 {
		t.Fatalf("similar items skipping 0: %v", again)
	}
	d, err := Diff(base, next)
	if err != nil {
		t.Fatal(err)
	}
	put := d.Edits[0].Collection.Put
	if len(put) != 1 || !slices.Contains(put[0].Like, 0) {
		t.Fatalf("the new event's models %v do not include the other Pulled event", put)
	}
	s1, s3, s0 := items(base).Elem(1).Sketch(), items(base).Elem(3).Sketch(), items(base).Elem(0).Sketch()
	if s1.Similarity(&s3) <= s1.Similarity(&s0) {
		t.Fatal("two ScalingReplicaSet events agree no more than events of different kinds")
	}
	// A compact base answers from the sketches it kept, reading no item.
	c := base.Compact()
	var kept []snapshot.Sketch
	if got := similarItems(items(c), items(next).Elem(4), &kept, nil, 1); len(got) != 1 || got[0] != 0 {
		t.Fatalf("similar items of a compact base %v, want [0]", got)
	}
}
