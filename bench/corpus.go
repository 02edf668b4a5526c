package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Pair is two successive captures of the same environment or object.
type Pair struct {
	Name       string
	Base, Next []byte
}

// CorpusPairs loads the successive real captures under root, the corpus's
// `real` directory (…/shared/corpus/real; its parent is accepted too), as
// (base, next) pairs, sorted by name:
//
//   - sonobuoy/<cluster>: the sonobuoy-results cluster dumps snap1 → snap2
//     (kind-k8s-v1.21.1, aws-k8s-v1.8.4). Each snapshot is one JSON object
//     mapping every JSON file's path inside the snap directory
//     ("resources/ns/kube-system/core_v1_pods.json", ...) to the file's
//     content, compacted; members are sorted by path.
//   - spotify/<api version>/info: one daemon's GET /info, swarm inactive →
//     active (spotify-docker-client-fixtures).
//   - kubectl-edit/<case>/<n>-><m>: an object's state before and after an
//     edit (kubectl-edit-recorded), paired by kind, namespace and name.
//   - gitops-engine/<object>: a live object → its predicted live state after a
//     server-side apply (gitops-engine-live).
//
// Base and Next are always valid JSON. A folder that is missing is skipped;
// a root that is missing gives an error wrapping fs.ErrNotExist.
func CorpusPairs(root string) ([]Pair, error) {
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("bench: corpus %q: %w", root, err)
	}
	if _, err := os.Stat(filepath.Join(root, "sonobuoy-results")); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(root, "real")); err == nil {
			root = filepath.Join(root, "real")
		}
	}
	var pairs []Pair
	for _, load := range []func(string) ([]Pair, error){sonobuoyPairs, spotifyPairs, kubectlEditPairs, gitopsPairs} {
		p, err := load(root)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, p...)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("bench: corpus %q: no successive captures found: %w", root, fs.ErrNotExist)
	}
	slices.SortFunc(pairs, func(a, b Pair) int { return strings.Compare(a.Name, b.Name) })
	return pairs, nil
}

func readJSON(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))); err != nil {
		return nil, fmt.Errorf("bench: corpus: %s: %w", path, err)
	}
	return out.Bytes(), nil
}

func missing(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// sonobuoyPairs pairs snap1_* with snap2_* in each cluster directory.
func sonobuoyPairs(root string) ([]Pair, error) {
	dir := filepath.Join(root, "sonobuoy-results")
	clusters, err := os.ReadDir(dir)
	if missing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	var pairs []Pair
	for _, c := range clusters {
		if !c.IsDir() {
			continue
		}
		snaps, err := os.ReadDir(filepath.Join(dir, c.Name()))
		if err != nil {
			return nil, fmt.Errorf("bench: corpus: %w", err)
		}
		var s1, s2 string
		for _, s := range snaps {
			switch {
			case strings.HasPrefix(s.Name(), "snap1_"):
				s1 = s.Name()
			case strings.HasPrefix(s.Name(), "snap2_"):
				s2 = s.Name()
			}
		}
		if s1 == "" || s2 == "" {
			continue
		}
		base, err := fileMap(filepath.Join(dir, c.Name(), s1))
		if err != nil {
			return nil, err
		}
		next, err := fileMap(filepath.Join(dir, c.Name(), s2))
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, Pair{Name: "sonobuoy/" + c.Name(), Base: base, Next: next})
	}
	return pairs, nil
}

// fileMap assembles every .json file under dir into one object keyed by the
// file's slash-separated path relative to dir.
func fileMap(dir string) ([]byte, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	type entry struct {
		key string
		val []byte
	}
	entries := make([]entry, 0, len(paths))
	for _, p := range paths {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil, fmt.Errorf("bench: corpus: %w", err)
		}
		b, err := readJSON(p)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{filepath.ToSlash(rel), b})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	var out bytes.Buffer
	out.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			out.WriteByte(',')
		}
		k, _ := json.Marshal(e.key)
		out.Write(k)
		out.WriteByte(':')
		out.Write(e.val)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func spotifyPairs(root string) ([]Pair, error) {
	dir := filepath.Join(root, "spotify-docker-client-fixtures")
	ents, err := os.ReadDir(dir)
	if missing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	var pairs []Pair
	for _, e := range ents {
		v, ok := strings.CutSuffix(e.Name(), "__infoSwarmInactive.json")
		if !ok {
			continue
		}
		base, err := readJSON(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		next, err := readJSON(filepath.Join(dir, v+"__infoSwarmActive.json"))
		if missing(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, Pair{Name: "spotify/" + v + "/info", Base: base, Next: next})
	}
	return pairs, nil
}

// kubectlEditPairs pairs, within each recorded test case, every response
// with the latest earlier response describing the same object.
func kubectlEditPairs(root string) ([]Pair, error) {
	dir := filepath.Join(root, "kubectl-edit-recorded")
	cases, err := os.ReadDir(dir)
	if missing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	type resp struct {
		step int
		id   string
		body []byte
	}
	var pairs []Pair
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, c.Name()))
		if err != nil {
			return nil, fmt.Errorf("bench: corpus: %w", err)
		}
		var rs []resp
		for _, f := range files {
			n, ok := strings.CutSuffix(f.Name(), ".response.json")
			if !ok {
				continue
			}
			step, err := strconv.Atoi(n)
			if err != nil {
				continue
			}
			body, err := readJSON(filepath.Join(dir, c.Name(), f.Name()))
			if err != nil {
				return nil, err
			}
			var obj struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Namespace string `json:"namespace"`
					Name      string `json:"name"`
				} `json:"metadata"`
			}
			if json.Unmarshal(body, &obj) != nil || obj.Metadata.Name == "" || obj.Kind == "Status" || strings.HasSuffix(obj.Kind, "List") {
				continue
			}
			rs = append(rs, resp{step, obj.APIVersion + "/" + obj.Kind + "/" + obj.Metadata.Namespace + "/" + obj.Metadata.Name, body})
		}
		slices.SortFunc(rs, func(a, b resp) int { return a.step - b.step })
		for i, r := range rs {
			for j := i - 1; j >= 0; j-- {
				if rs[j].id == r.id {
					pairs = append(pairs, Pair{Name: fmt.Sprintf("kubectl-edit/%s/%d->%d", c.Name(), rs[j].step, r.step), Base: rs[j].body, Next: r.body})
					break
				}
			}
		}
	}
	return pairs, nil
}

func gitopsPairs(root string) ([]Pair, error) {
	dir := filepath.Join(root, "gitops-engine-live")
	ents, err := os.ReadDir(dir)
	if missing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w", err)
	}
	var pairs []Pair
	for _, e := range ents {
		prefix, ok := strings.CutSuffix(e.Name(), "-predicted-live.json")
		if !ok {
			continue
		}
		next, err := readJSON(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		// ssd-svc-no-label-predicted-live is the prediction for ssd-svc-label-live.
		var base []byte
		for _, cand := range []string{prefix, strings.Replace(prefix, "-no-label", "-label", 1)} {
			for _, suffix := range []string{"-live.json", "-live.from-yaml.json"} {
				if base != nil {
					break
				}
				b, err := readJSON(filepath.Join(dir, cand+suffix))
				if missing(err) {
					continue
				}
				if err != nil {
					return nil, err
				}
				base = b
			}
		}
		if base == nil {
			continue
		}
		pairs = append(pairs, Pair{Name: "gitops-engine/" + prefix, Base: base, Next: next})
	}
	return pairs, nil
}
