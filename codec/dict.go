package codec

import _ "embed"

//go:generate go run ./internal/gendict -o dict_builtin.go
//go:generate go run ./internal/gendict -zstd dict1.zstd

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
	zstd  []byte // zstd dictionary for bodies, or nil
}

func newDictionary(id uint64, names []string, zstdDict []byte) *dictionary {
	d := &dictionary{id: id, names: names, index: make(map[string]int, len(names)), zstd: zstdDict}
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

// builtinZstd is dictionary 1's zstd dictionary: raw content, distinct
// frame bodies of the simulated profiles (see internal/gendict). A 100-byte
// delta body shares most of its structure with them, which zstd cannot find
// in the body alone. Raw content rather than a trained dictionary: the
// trainer is not byte-for-byte reproducible, and raw content also works
// with the reference CLI's --patch-from.
//
//go:embed dict1.zstd
var builtinZstd []byte

var (
	noDictionary      = newDictionary(NoDictionary, nil, nil)
	builtinDictionary = newDictionary(BuiltinDictionary, builtinNames, builtinZstd)
	dictionaries      = map[uint64]*dictionary{
		NoDictionary:      noDictionary,
		BuiltinDictionary: builtinDictionary,
	}
)
