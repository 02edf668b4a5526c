package codec

import (
	"math/bits"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// Info describes what a frame holds, for people and monitoring.
type Info struct {
	Kind        string           `json:"kind"`
	Version     uint8            `json:"version"`
	Compression string           `json:"compression"`
	Dictionary  uint64           `json:"dictionary"`
	FrameBytes  int              `json:"frame_bytes"`
	BodyBytes   uint64           `json:"body_bytes"`
	Root        string           `json:"root,omitempty"`   // full frames
	Base        string           `json:"base,omitempty"`   // delta and patch-from frames: the root as named (format 4: its low 32 bits)
	Target      string           `json:"target,omitempty"` // delta frames
	Edits       []EditInfo       `json:"edits,omitempty"`
	Collections []CollectionInfo `json:"collections,omitempty"`
	// ItemsStreamBytes is the size of the zstd stream holding new items
	// sent as text coded against base items (format 3), 0 when none.
	ItemsStreamBytes int `json:"items_stream_bytes,omitempty"`
	// HexStrings counts the strings sent as the bytes their trailing hex
	// digits spell (format 5): ids, digests, endpoint ids.
	HexStrings int `json:"hex_strings,omitempty"`
}

// EditInfo describes one edit outside keyed collections.
type EditInfo struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Ops  int    `json:"ops,omitempty"`
}

// CollectionInfo counts the operations on one keyed collection.
type CollectionInfo struct {
	Path   string `json:"path"`
	Rule   string `json:"rule"`
	Added  int    `json:"added"`
	AsText int    `json:"added_as_text,omitempty"` // of Added: sent as text coded against base items
	// Copies counts the rules that put back copied members into the items
	// sent as text (format 7, docs/wire-format.md section 7.9).
	Copies   int `json:"copied_member_rules,omitempty"`
	Replaced int `json:"replaced"`
	Patched  int `json:"patched"`
	// ShapeRun counts the patched items sent in shape runs (format 6): the
	// operations once, a column of differences per number that varies.
	ShapeRun int  `json:"patched_in_shape_runs,omitempty"`
	Removed  int  `json:"removed"`
	Reorder  bool `json:"reordered"`
	// Tick describes the status tick, when the edit changes matching base
	// items without naming them (format 4): `/Status counts " minutes" +1`
	// or `/Status ages 1 min (humanized)`, then how many matching items it
	// leaves alone. Patched does not count the items it changes. Empty when
	// none.
	Tick string `json:"status_tick,omitempty"`
}

// Inspect decodes frame and describes it.
func (d *Decoder) Inspect(frame []byte) (*Info, error) {
	f, err := d.Decode(frame)
	if err != nil {
		return nil, err
	}
	info := &Info{
		Kind:        f.Header.Kind.String(),
		Version:     f.Header.Version,
		Compression: f.Header.Compression.String(),
		Dictionary:  f.Header.Dictionary,
		FrameBytes:  len(frame),
		BodyBytes:   f.Header.BodySize,
		HexStrings:  f.hex[0] + f.hex[1],
	}
	switch f.Header.Kind {
	case Full:
		info.Root = snapshot.FormatHash(f.Root)
		return info, nil
	case PatchFrom:
		// The body, target root included, inflates only against the base.
		info.Base = f.BaseName()
		return info, nil
	}
	if f.texts != nil {
		info.ItemsStreamBytes = len(f.texts.blob)
	}
	info.Base = f.BaseName()
	info.Target = snapshot.FormatHash(f.Delta.Target)
	ticks := map[int]string{}
	for _, pt := range f.ticks {
		ticks[pt.edit] = pt.tick.describe()
	}
	for i, e := range f.Delta.Edits {
		path := delta.PathString(e.Path)
		if e.Kind != delta.Keyed {
			info.Edits = append(info.Edits, EditInfo{Path: path, Kind: e.Kind.String(), Ops: len(e.Ops)})
			continue
		}
		c := e.Collection
		ci := CollectionInfo{Path: path, Rule: c.Rule, Patched: len(c.Patch), Removed: len(c.Remove) + len(c.RemoveAt), Reorder: c.Order != nil, Tick: ticks[i], ShapeRun: f.shape[i]}
		for _, it := range c.Put {
			switch {
			case it.Index < 0:
				ci.Replaced++
			case it.Value == nil && !it.HasFrom:
				ci.Added++
				ci.AsText++
			default:
				ci.Added++
			}
		}
		if f.texts != nil {
			for _, pt := range f.texts.items {
				if pt.edit == i {
					ci.Copies += bits.OnesCount64(pt.copies)
				}
			}
		}
		info.Collections = append(info.Collections, ci)
	}
	return info, nil
}
