// Package delta computes and applies the difference between two snapshots.
//
// [Diff] walks both snapshots' hash trees and descends only where hashes
// differ, so an unchanged item costs one comparison. It describes the change
// as a list of [Edit]s, each addressed by the path of object members that
// leads to it:
//
//   - keyed collections (arrays whose items carry an identity, see package
//     snapshot) get a [CollectionEdit]: items removed and put by key, items
//     patched with RFC 6902 operations (arrays inside them aligned on their
//     elements' hashes) when the patch is smaller than the item, and an order change only when
//     the items' order is not the one implied by the removals and insertions;
//   - object members are set or removed;
//   - anything else that changed (scalars, positional arrays, a change of
//     type) is set whole or patched with RFC 6902 operations, whichever is
//     smaller.
//
// [Apply] refuses a base whose root hash is not the one the delta names
// ([ErrUnknownBase]), rebuilds the target sharing every unchanged node with
// the base, and checks the result's root hash against the target root the
// delta names ([ErrVerify]). Snapshots are immutable, so a failed Apply leaves
// the caller's base exactly as it was.
package delta
