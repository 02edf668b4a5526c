package codec

//go:generate go run ./internal/gendict -o dict_builtin.go

// Dictionary ids a frame header may name.
const (
	// NoDictionary: names travel as plain strings.
	NoDictionary uint64 = 0
	// BuiltinDictionary: the names of dict_builtin.go, generated from the
	// bench simulator and the real corpus (see internal/gendict). Its list
	// is frozen: a different list would get a new id, and old ids stay
	// decodable.
	BuiltinDictionary uint64 = 1
)

// dictionary is a shared table of names (member names, JSON pointers,
// identity rules) that both sides know, so a frame can name one with a
// small integer instead of its text: a change to Docker's
// "/NetworkSettings/Networks/bridge/IPAddress" costs one byte of path.
type dictionary struct {
	id    uint64
	names []string
	index map[string]int
}

func newDictionary(id uint64, names []string) *dictionary {
	d := &dictionary{id: id, names: names, index: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := d.index[n]; !dup {
			d.index[n] = i
		}
	}
	return d
}

func (d *dictionary) lookup(s string) (int, bool) {
	if d == nil || len(s) < 2 {
		return 0, false
	}
	i, ok := d.index[s]
	return i, ok
}

func (d *dictionary) name(i uint64) (string, bool) {
	if d == nil || i >= uint64(len(d.names)) {
		return "", false
	}
	return d.names[i], true
}

var (
	noDictionary      = newDictionary(NoDictionary, nil)
	builtinDictionary = newDictionary(BuiltinDictionary, builtinNames)
	dictionaries      = map[uint64]*dictionary{
		NoDictionary:      noDictionary,
		BuiltinDictionary: builtinDictionary,
	}
)
