package snapshot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// arrayAt returns the node at a path of member names, or the root.
func arrayAt(t *testing.T, root *Node, path ...string) *Node {
	t.Helper()
	n := root
	for _, p := range path {
		v, ok := n.Get(p)
		if !ok {
			t.Fatalf("no member %q", p)
		}
		n = v
	}
	return n
}

func TestDefaultRulesDetectCollections(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		path []string
		rule string // "" means positional
		keys []string
	}{
		{
			name: "docker containers by Id",
			doc:  `[{"Id":"4c0b","Names":["/web"],"Name":"same"},{"Id":"9f1e","Names":["/db"],"Name":"same"}]`,
			rule: "Id", keys: []string{"4c0b", "9f1e"},
		},
		{
			name: "swarm objects by ID",
			doc:  `[{"ID":"n1","Spec":{}},{"ID":"n2","Spec":{}}]`,
			rule: "ID", keys: []string{"n1", "n2"},
		},
		{
			name: "lowercase id",
			doc:  `[{"id":"a"},{"id":"b"}]`,
			rule: "id", keys: []string{"a", "b"},
		},
		{
			name: "number ids keep their text",
			doc:  `[{"id":2},{"id":10},{"id":1.0},{"id":1}]`,
			rule: "id", keys: []string{"2", "10", "1.0", "1"},
		},
		{
			name: "kubernetes items by metadata.uid",
			doc:  `{"kind":"PodList","items":[{"metadata":{"uid":"u1","name":"a","namespace":"default"}},{"metadata":{"uid":"u2","name":"a","namespace":"default"}}]}`,
			path: []string{"items"}, rule: "metadata.uid", keys: []string{"u1", "u2"},
		},
		{
			name: "kubernetes namespace+name when uid is missing",
			doc:  `{"items":[{"metadata":{"name":"a","namespace":"default"}},{"metadata":{"name":"a","namespace":"kube-system"}},{"metadata":{"uid":"u3","name":"b","namespace":"default"}}]}`,
			path: []string{"items"}, rule: "metadata.namespace+metadata.name",
			keys: []string{"default\x00a", "kube-system\x00a", "default\x00b"},
		},
		{
			name: "kubernetes duplicate uid falls back to namespace+name",
			doc:  `[{"metadata":{"uid":"u","name":"a","namespace":"n"}},{"metadata":{"uid":"u","name":"b","namespace":"n"}}]`,
			rule: "metadata.namespace+metadata.name", keys: []string{"n\x00a", "n\x00b"},
		},
		{
			name: "docker volumes by Name",
			doc:  `{"Volumes":[{"Name":"pgdata","Driver":"local"},{"Name":"cache","Driver":"local"}],"Warnings":null}`,
			path: []string{"Volumes"}, rule: "Name", keys: []string{"pgdata", "cache"},
		},
		{
			name: "duplicate Id falls back to Name",
			doc:  `[{"Id":"x","Name":"a"},{"Id":"x","Name":"b"}]`,
			rule: "Name", keys: []string{"a", "b"},
		},
		{
			name: "non-scalar Id falls back",
			doc:  `[{"Id":{"v":1},"Name":"a"},{"Id":{"v":2},"Name":"b"}]`,
			rule: "Name", keys: []string{"a", "b"},
		},
		{
			name: "single item",
			doc:  `[{"Id":"only"}]`,
			rule: "Id", keys: []string{"only"},
		},
		{name: "missing identity in one item", doc: `[{"Id":"a"},{"Names":["/b"]}]`},
		{name: "duplicate identity", doc: `[{"Id":"a"},{"Id":"a"}]`},
		{name: "string and number ids collide", doc: `[{"id":"1"},{"id":1}]`},
		{name: "null identity", doc: `[{"Id":null},{"Id":"b"}]`},
		{name: "bool identity", doc: `[{"Id":true},{"Id":false}]`},
		{name: "kubernetes items with neither uid nor namespace", doc: `[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]`},
		{
			// The parts join with NUL, so these two identities would share a
			// key: the array must stay positional, not be keyed ambiguously.
			name: "composite keys that collide through NUL",
			doc:  `[{"metadata":{"namespace":"a\u0000b","name":"c"}},{"metadata":{"namespace":"a","name":"b\u0000c"}}]`,
		},
		{name: "mixed element kinds", doc: `[{"Id":"a"},1]`},
		{name: "scalars", doc: `["a","b"]`},
		{name: "empty array", doc: `[]`},
		{name: "arrays of arrays", doc: `[[{"Id":"a"}]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := arrayAt(t, mustNode(t, tt.doc), tt.path...)
			c := n.Collection()
			if tt.rule == "" {
				if c != nil {
					t.Fatalf("Collection() = rule %s keys %q, want positional", c.Rule(), c.Keys())
				}
				return
			}
			if c == nil {
				t.Fatalf("Collection() = nil, want rule %s", tt.rule)
			}
			if c.Rule().String() != tt.rule || !slices.Equal(c.Keys(), tt.keys) {
				t.Errorf("Collection() = rule %s keys %q, want rule %s keys %q", c.Rule(), c.Keys(), tt.rule, tt.keys)
			}
			for i, k := range tt.keys {
				if j, ok := c.Lookup(k); !ok || j != i {
					t.Errorf("Lookup(%q) = %d, %v; want %d", k, j, ok, i)
				}
			}
		})
	}
}

func TestCollectionLookup(t *testing.T) {
	// Short collections scan; long ones (from indexThreshold items) use a
	// map. Both must answer the same.
	for _, n := range []int{1, 2, indexThreshold - 1, indexThreshold, indexThreshold + 1, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			items := make([]string, n)
			for i := range items {
				items[i] = fmt.Sprintf(`{"Id":"c%03d","Image":"img"}`, (i*7)%n)
			}
			c := mustNode(t, "["+strings.Join(items, ",")+"]").Collection()
			if c == nil || len(c.Keys()) != n {
				t.Fatalf("Collection() = %v, want %d keys", c, n)
			}
			for i := range n {
				key := fmt.Sprintf("c%03d", (i*7)%n)
				if j, ok := c.Lookup(key); !ok || j != i {
					t.Errorf("Lookup(%q) = %d, %v; want %d, true", key, j, ok, i)
				}
			}
			for _, missing := range []string{"", "c", "c999", "C000"} {
				if j, ok := c.Lookup(missing); ok || j != -1 {
					t.Errorf("Lookup(%q) = %d, %v; want -1, false", missing, j, ok)
				}
			}
		})
	}
}

func TestCollectionLongDuplicate(t *testing.T) {
	// A duplicate far apart in a long collection must still be found.
	items := make([]string, 40)
	for i := range items {
		items[i] = fmt.Sprintf(`{"Id":"c%d"}`, i)
	}
	items[39] = `{"Id":"c0"}`
	if c := mustNode(t, "["+strings.Join(items, ",")+"]").Collection(); c != nil {
		t.Errorf("Collection() with a duplicate = %q, want nil", c.Keys())
	}
}

func TestCollectionBy(t *testing.T) {
	n := mustNode(t, `[{"Id":"a","Name":"x","Labels":{"app":"web"}},{"Id":"b","Name":"y","Labels":{"app":"db"}}]`)
	own := n.Collection()
	if own == nil {
		t.Fatal("no collection")
	}
	c, ok := CollectionBy(n, MustParseRule("Id"))
	if !ok || c != own {
		t.Errorf("CollectionBy with the array's own rule = %p, %v; want the array's view %p", c, ok, own)
	}
	c, ok = CollectionBy(n, MustParseRule("Name"))
	if !ok || !slices.Equal(c.Keys(), []string{"x", "y"}) || c.Rule().String() != "Name" {
		t.Errorf("CollectionBy Name = %v, %v", c, ok)
	}
	c, ok = CollectionBy(n, MustParseRule("Labels.app"))
	if !ok || !slices.Equal(c.Keys(), []string{"web", "db"}) {
		t.Errorf("CollectionBy Labels.app = %v, %v", c, ok)
	}
	if j, ok := c.Lookup("db"); !ok || j != 1 {
		t.Errorf("Lookup(db) = %d, %v", j, ok)
	}
	c, ok = CollectionBy(n, MustParseRule("Id+Name"))
	if !ok || !slices.Equal(c.Keys(), []string{"a\x00x", "b\x00y"}) {
		t.Errorf("CollectionBy Id+Name = %v, %v", c, ok)
	}
	if c, ok := CollectionBy(n, MustParseRule("Missing")); ok || c != nil {
		t.Errorf("CollectionBy with a missing identity = %v, %v; want nil, false", c, ok)
	}
	if c, ok := CollectionBy(mustNode(t, `[{"k":1},{"k":1}]`), MustParseRule("k")); ok || c != nil {
		t.Errorf("CollectionBy with a repeated identity = %v, %v; want nil, false", c, ok)
	}
	if c, ok := CollectionBy(mustNode(t, `{"Id":"a"}`), MustParseRule("Id")); ok || c != nil {
		t.Errorf("CollectionBy on an object = %v, %v", c, ok)
	}
	if c, ok := CollectionBy(nil, MustParseRule("Id")); ok || c != nil {
		t.Errorf("CollectionBy on nil = %v, %v", c, ok)
	}
	c, ok = CollectionBy(mustNode(t, `[]`), MustParseRule("Id"))
	if !ok || c == nil || len(c.Keys()) != 0 || c.Rule().String() != "Id" {
		t.Errorf("CollectionBy on an empty array = %v, %v; want an empty collection", c, ok)
	}
	if j, ok := c.Lookup("x"); ok || j != -1 {
		t.Errorf("Lookup in an empty collection = %d, %v", j, ok)
	}
}

func TestWithRules(t *testing.T) {
	doc := []byte(`{"containers":[{"Id":"a","Name":"x"},{"Id":"b","Name":"y"}],"pods":[{"metadata":{"uid":"1"}},{"metadata":{"uid":"2"}}]}`)
	tests := []struct {
		name       string
		rules      []string
		containers string // rule expected, "" for positional
		pods       string
	}{
		{"defaults", nil, "Id", "metadata.uid"},
		{"only Name", []string{"Name"}, "Name", ""},
		{"order matters", []string{"Name", "Id"}, "Name", ""},
		{"custom nested", []string{"metadata.uid"}, "", "metadata.uid"},
		{"no rules", []string{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.rules != nil {
				opts = append(opts, WithRules(tt.rules...))
			}
			cfg, err := NewConfig(opts...)
			if err != nil {
				t.Fatal(err)
			}
			s, err := cfg.Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			if s.Config() != cfg {
				t.Error("Snapshot.Config() is not the parsing configuration")
			}
			for member, want := range map[string]string{"containers": tt.containers, "pods": tt.pods} {
				c := arrayAt(t, s.Root(), member).Collection()
				got := ""
				if c != nil {
					got = c.Rule().String()
				}
				if got != want {
					t.Errorf("%s keyed by %q, want %q", member, got, want)
				}
			}
			// Rules do not change the content hash.
			if s.Hash() != mustParse(t, string(doc)).Hash() {
				t.Error("identity rules changed the hash")
			}
		})
	}
}

func TestConfigRules(t *testing.T) {
	cfg := DefaultConfig()
	rules := cfg.Rules()
	var names []string
	for _, r := range rules {
		names = append(names, r.String())
	}
	if !slices.Equal(names, DefaultRules) {
		t.Errorf("default rules = %q, want %q", names, DefaultRules)
	}
	rules[0] = MustParseRule("Other")
	if cfg.Rules()[0].String() != "Id" {
		t.Error("modifying the slice from Rules() changed the configuration")
	}
	if _, err := NewConfig(WithRules("Id", "a..b")); !errors.Is(err, ErrInvalidRule) {
		t.Errorf("NewConfig with a bad rule: %v, want ErrInvalidRule", err)
	}
}

func TestParseRule(t *testing.T) {
	valid := map[string][][]string{
		"Id":                               {{"Id"}},
		"metadata.uid":                     {{"metadata", "uid"}},
		"metadata.namespace+metadata.name": {{"metadata", "namespace"}, {"metadata", "name"}},
		"a.b.c+d":                          {{"a", "b", "c"}, {"d"}},
		"with space":                       {{"with space"}},
	}
	for text, parts := range valid {
		r, err := ParseRule(text)
		if err != nil {
			t.Errorf("ParseRule(%q): %v", text, err)
			continue
		}
		if r.String() != text {
			t.Errorf("ParseRule(%q).String() = %q", text, r.String())
		}
		if !slices.EqualFunc(r.parts, parts, slices.Equal) {
			t.Errorf("ParseRule(%q) parts = %q, want %q", text, r.parts, parts)
		}
	}
	for _, text := range []string{"", ".", "+", "a.", ".a", "a..b", "a+", "+a", "a++b", "a.+b", "a+.b"} {
		r, err := ParseRule(text)
		if !errors.Is(err, ErrInvalidRule) {
			t.Errorf("ParseRule(%q) = %v, %v; want ErrInvalidRule", text, r, err)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustParseRule(\"a..b\") did not panic")
			}
		}()
		MustParseRule("a..b")
	}()
}

func TestRuleKey(t *testing.T) {
	item := mustNode(t, `{"Id":"abc","n":12.50,"meta":{"ns":"default","name":"web","flag":true,"nil":null,"list":[1]}}`)
	tests := []struct {
		rule string
		key  string
		ok   bool
	}{
		{"Id", "abc", true},
		{"n", "12.50", true},
		{"meta.ns+meta.name", "default\x00web", true},
		{"Id+n+meta.name", "abc\x0012.50\x00web", true},
		{"meta", "", false},
		{"meta.flag", "", false},
		{"meta.nil", "", false},
		{"meta.list", "", false},
		{"meta.ns+meta.missing", "", false},
		{"Id.deeper", "", false},
		{"missing", "", false},
	}
	for _, tt := range tests {
		key, ok := MustParseRule(tt.rule).Key(item)
		if key != tt.key || ok != tt.ok {
			t.Errorf("Key(%s) = %q, %v; want %q, %v", tt.rule, key, ok, tt.key, tt.ok)
		}
	}
	if _, ok := MustParseRule("Id").Key(mustNode(t, `["Id"]`)); ok {
		t.Error("Key of an array succeeded")
	}
	if _, ok := MustParseRule("Id").Key(nil); ok {
		t.Error("Key of nil succeeded")
	}
	if _, ok := (Rule{}).Key(item); ok {
		t.Error("the zero Rule gave a key")
	}
}

func TestNewArrayDetectsWithConfig(t *testing.T) {
	a := mustNode(t, `{"Name":"x"}`)
	b := mustNode(t, `{"Name":"y"}`)
	if c := NewArray([]*Node{a, b}, nil).Collection(); c == nil || c.Rule().String() != "Name" {
		t.Errorf("NewArray with the default config: %v", c)
	}
	cfg, _ := NewConfig(WithRules())
	if c := NewArray([]*Node{a, b}, cfg).Collection(); c != nil {
		t.Errorf("NewArray with no rules: %v, want nil", c)
	}
}
