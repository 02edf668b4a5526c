package jsonpatch

import (
	"reflect"
	"unsafe"
)

// owned is the set of containers one Apply call has allocated itself. Only
// those may be changed in place: everything else belongs to the caller.
//
// A container is known by the address of its storage: the map header, or a
// slice's backing array. The keys are unsafe.Pointer rather than uintptr so
// the set keeps that storage alive and no address can be reused by another
// value while the set exists. Each owned container is referenced from exactly
// one place in the document being built (copy duplicates by deep copy, move
// detaches before it attaches), which is what makes writing in place safe.
type owned map[unsafe.Pointer]struct{}

// identity returns the storage address of a container, or nil when it has no
// storage of its own: nil maps and slices, and zero-capacity slices, whose
// data pointer the runtime may share between unrelated values.
func identity(c any) unsafe.Pointer {
	switch c := c.(type) {
	case map[string]any:
		if c == nil {
			return nil
		}
		return reflect.ValueOf(c).UnsafePointer()
	case []any:
		if cap(c) == 0 {
			return nil
		}
		return unsafe.Pointer(unsafe.SliceData(c))
	}
	return nil
}

func (o owned) add(c any) {
	if p := identity(c); p != nil {
		o[p] = struct{}{}
	}
}

func (o owned) has(c any) bool {
	p := identity(c)
	if p == nil {
		return false
	}
	_, ok := o[p]
	return ok
}
