package delta_test

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

// corpusDir holds real Docker and Kubernetes API JSON (see its README.md).
const corpusDir = "../../shared/corpus/real"

type corpus struct {
	t     *testing.T
	cache map[string]*snapshot.Snapshot
}

func openCorpus(t *testing.T) *corpus {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, "README.md")); err != nil {
		t.Skipf("real corpus not present: %v", err)
	}
	return &corpus{t: t, cache: map[string]*snapshot.Snapshot{}}
}

// load parses one corpus file; ok is false for files that are not valid
// JSON (a few fixtures are deliberately broken).
func (c *corpus) load(path string) (*snapshot.Snapshot, bool) {
	if s, ok := c.cache[path]; ok {
		return s, s != nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatal(err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		s = nil
	}
	c.cache[path] = s
	return s, s != nil
}

func (c *corpus) check(a, b string) bool {
	c.t.Helper()
	sa, ok1 := c.load(a)
	sb, ok2 := c.load(b)
	if !ok1 || !ok2 {
		return false
	}
	for _, p := range [][2]*snapshot.Snapshot{{sa, sb}, {sb, sa}} {
		if d, err := roundTrip(p[0], p[1], true); err != nil {
			c.t.Errorf("%s → %s: %v\n%s", rel(a), rel(b), err, describeOrNil(d))
			return false
		}
	}
	return true
}

func rel(p string) string {
	r, err := filepath.Rel(corpusDir, p)
	if err != nil {
		return p
	}
	return r
}

// successivePairs lists the captures of one environment taken one after the
// other, as the corpus README names them: (before, after).
func successivePairs(t *testing.T) [][2]string {
	var pairs [][2]string
	glob := func(pattern string) []string {
		m, err := filepath.Glob(filepath.Join(corpusDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// sonobuoy: the same file name under snap1_… and snap2_….
	for _, cluster := range []string{"kind-k8s-v1.21.1", "aws-k8s-v1.8.4"} {
		s1, s2 := glob("sonobuoy-results/"+cluster+"/snap1_*"), glob("sonobuoy-results/"+cluster+"/snap2_*")
		if len(s1) != 1 || len(s2) != 1 {
			t.Errorf("sonobuoy %s: want one snap1 and one snap2, found %q %q", cluster, s1, s2)
			continue
		}
		_ = filepath.WalkDir(s1[0], func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return err
			}
			r, _ := filepath.Rel(s1[0], p)
			if q := filepath.Join(s2[0], r); fileExists(q) {
				pairs = append(pairs, [2]string{p, q})
			}
			return nil
		})
	}
	// spotify docker-client: /info before and after swarm init.
	for _, in := range glob("spotify-docker-client-fixtures/*__infoSwarmInactive.json") {
		if out := strings.TrimSuffix(in, "Inactive.json") + "Active.json"; fileExists(out) {
			pairs = append(pairs, [2]string{in, out})
		}
	}
	// gitops-engine: live object before a server-side apply, predicted after.
	for _, after := range glob("gitops-engine-live/*-predicted-live.json") {
		prefix := strings.TrimSuffix(after, "-predicted-live.json")
		for _, before := range []string{prefix + "-live.json", prefix + "-live.from-yaml.json"} {
			if fileExists(before) {
				pairs = append(pairs, [2]string{before, after})
			}
		}
	}
	// kubectl edit: the object as read (0) and as returned after each edit.
	for _, first := range glob("kubectl-edit-recorded/*/0.response.json") {
		for _, later := range glob(filepath.Join(rel(filepath.Dir(first)), "*.response.json")) {
			if later != first {
				pairs = append(pairs, [2]string{first, later})
			}
		}
	}
	return pairs
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func TestCorpusSuccessive(t *testing.T) {
	c := openCorpus(t)
	pairs := successivePairs(t)
	groups := map[string]int{}
	checked := 0
	for _, p := range pairs {
		if c.check(p[0], p[1]) {
			checked++
			groups[strings.SplitN(rel(p[0]), string(filepath.Separator), 2)[0]]++
		}
	}
	t.Logf("%d successive pairs round trip both ways (%d listed): %v", checked, len(pairs), groups)
	for _, g := range []string{"sonobuoy-results", "spotify-docker-client-fixtures", "gitops-engine-live", "kubectl-edit-recorded"} {
		if groups[g] == 0 {
			t.Errorf("no successive pair found in %s", g)
		}
	}
}

// TestCorpusPairwise diffs files of one folder against each other: unrelated
// but similar documents (two pods, two /info answers) stress the keyed and
// positional paths harder than successive polls do.
func TestCorpusPairwise(t *testing.T) {
	c := openCorpus(t)
	byDir := map[string][]string{}
	_ = filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], p)
		return nil
	})
	var pairs [][2]string
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		files := byDir[d]
		slices.Sort(files)
		for i := range files {
			for j := i + 1; j < len(files); j++ {
				pairs = append(pairs, [2]string{files[i], files[j]})
			}
		}
	}
	limit := 2000
	if testing.Short() {
		limit = 200
	}
	all := len(pairs)
	if len(pairs) > limit {
		r := rand.New(rand.NewPCG(2024, 11))
		r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
		pairs = pairs[:limit]
	}
	checked := 0
	for _, p := range pairs {
		if c.check(p[0], p[1]) {
			checked++
		}
	}
	t.Logf("%d same-folder pairs round trip both ways (%d sampled of %d, from %d folders)", checked, len(pairs), all, len(dirs))
	if checked == 0 {
		t.Error("no pair checked")
	}
}
