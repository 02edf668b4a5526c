// Package jsonpatch applies RFC 6902 JSON Patch operations to in-memory JSON
// value trees and resolves RFC 6901 JSON Pointers.
//
// It exists because the snapdelta delta engine generates patches with
// github.com/wI2L/jsondiff but must apply them itself, on the server, to
// hostile input, without losing a number's literal text.
//
// # Value trees
//
// A value tree is what encoding/json produces with Decoder.UseNumber: nil,
// bool, json.Number, string, []any and map[string]any, nested without cycles.
// Numbers stay json.Number throughout, so their literal text ("1.0", "1e400",
// a 20-digit integer) reaches the result unchanged. Apply rejects any other Go
// type (float64, int, structs) found in an operation's value; Equal reports
// such values as unequal.
//
// # Ownership and sharing
//
// Apply never writes to the document it is given, to anything reachable from
// it, or to an operation's value. It copies on write: each operation copies
// the containers on the path it changes, and a container already copied
// earlier in the same Apply call is changed in place, so a patch of k
// operations on a large object copies that object once, not k times.
// Untouched subtrees are shared between the input and the result, so both
// must be treated as read-only once Apply has returned; values inserted by
// "add", "replace" and "copy" are deep copies, so callers may reuse or change
// their operation values afterwards.
//
// # Semantics chosen where the RFCs leave room
//
//   - A patch is atomic: on any error Apply returns nil and the error; there is
//     no partly patched result.
//   - "add" and "replace" at the root ("") replace the whole document;
//     "remove" of the root is refused (ErrInvalidOp), since a JSON document
//     cannot be empty.
//   - Array indexes are decimal without leading zeros; "-" names the slot after
//     the last element and is accepted only as the target of "add" (and hence
//     of "move" and "copy"). Out-of-range indexes, including ones too large for
//     an int, are ErrPathNotFound.
//   - "move" from a location into one of its own children is ErrInvalidOp.
//   - Op cannot tell a missing "value" or "from" member from JSON null or the
//     root pointer. DecodePatch and Op.UnmarshalJSON therefore check member
//     presence (and refuse duplicate members, so no two parsers can read one
//     operation differently); Apply checks everything else.
//
// # Limits
//
// Operations may deepen a document only up to encoding/json's nesting limit
// (10000) at the point of insertion, so every result stays decodable. "copy"
// duplicates data, and n copy operations could double a document n times; all
// copy operations of one Apply call together may duplicate at most 1<<20
// values. Going past either limit is ErrTooLarge.
//
// # Errors
//
// Every failure wraps one of ErrInvalidOp, ErrPathNotFound, ErrTestFailed,
// ErrInvalidPointer or ErrTooLarge (match with errors.Is) and names the
// operation's index, kind and path:
//
//	jsonpatch: op 3 (replace /a/b): path not found: no member "b"
//
// The package never panics on any document or patch. The functions are safe
// for concurrent use as long as no caller mutates the values involved.
package jsonpatch
