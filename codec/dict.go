package codec

import _ "embed"

// The names (dict_builtin.go) and the zstd dictionaries (dict1.zstd,
// dict2.zstd, dict3.zstd) were written by internal/gendict: dict2.zstd at
// commit b67bec7 from format 3 bodies, dict3.zstd at commit dfdd28d by "go
// run ./internal/gendict -zstd dict3.zstd -o /tmp/names.go -version 4" from
// format 4 bodies with counting status ticks (before humanized ticks, which
// a dictionary trained on them did not improve: docker-small 66 -> 67,
// docker-large 233 -> 231 bytes a cycle). They are frozen: the encoder changes
// the bodies it writes over time, so a later run gives other bytes, which
// gendict refuses to write over them.

// Dictionary ids a frame header may name.
const (
	// NoDictionary: names travel as plain strings.
	NoDictionary uint64 = 0
	// BuiltinDictionary: the names of dict_builtin.go, generated from the
	// bench simulator and the real corpus (see internal/gendict), and the
	// zstd dictionary dict1.zstd, trained on format 2 bodies. Frozen, like
	// every assigned id: frames name its entries by index and zstd frames
	// refer to its content; old ids stay decodable.
	BuiltinDictionary uint64 = 1
	// BuiltinDictionary2: the same names, and the zstd dictionary
	// dict2.zstd, trained on format 3 bodies and on new items' JSON.
	BuiltinDictionary2 uint64 = 2
	// BuiltinDictionary3: the same names, and the zstd dictionary
	// dict3.zstd, the same kind of content from format 4 bodies, status
	// ticks included. The default.
	BuiltinDictionary3 uint64 = 3
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

// builtinZstd2 is dictionary 2's: the same kind of content, from the
// bodies format 3 writes (item patches grouped, new items in an items
// stream, which it leaves out) and, first, the JSON of new items, which the
// items streams are coded against before their models.
//
//go:embed dict2.zstd
var builtinZstd2 []byte

// builtinZstd3 is dictionary 3's: the same again, from format 4 bodies,
// whose status ticks dictionary 2 has never seen.
//
//go:embed dict3.zstd
var builtinZstd3 []byte

var (
	noDictionary       = newDictionary(NoDictionary, nil, nil)
	builtinDictionary  = newDictionary(BuiltinDictionary, builtinNames, builtinZstd)
	builtinDictionary2 = newDictionary(BuiltinDictionary2, builtinNames, builtinZstd2)
	builtinDictionary3 = newDictionary(BuiltinDictionary3, builtinNames, builtinZstd3)
	dictionaries       = map[uint64]*dictionary{
		NoDictionary:       noDictionary,
		BuiltinDictionary:  builtinDictionary,
		BuiltinDictionary2: builtinDictionary2,
		BuiltinDictionary3: builtinDictionary3,
	}
)
