package bench

import (
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgSeries is one polyline of a parsed chart.
type svgSeries struct {
	panel, strategy string
	points          [][2]float64
}

// parseSVG checks that doc is well-formed XML whose root is an svg element
// and returns its series, its legend entries and its viewBox size.
func parseSVG(t *testing.T, doc string) (series []svgSeries, legend []string, w, h float64) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var panel string
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		depth++
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch {
		case depth == 1:
			if se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("root element %v", se.Name)
			}
			f := strings.Fields(attr["viewBox"])
			if len(f) != 4 {
				t.Fatalf("viewBox %q", attr["viewBox"])
			}
			w, _ = strconv.ParseFloat(f[2], 64)
			h, _ = strconv.ParseFloat(f[3], 64)
		case se.Name.Local == "g" && attr["class"] == "panel":
			panel = attr["data-source"]
		case se.Name.Local == "g" && attr["class"] == "legend-entry":
			legend = append(legend, attr["data-strategy"])
		case se.Name.Local == "polyline" && attr["class"] == "series":
			s := svgSeries{panel: panel, strategy: attr["data-strategy"]}
			for _, p := range strings.Fields(attr["points"]) {
				x, y, ok := strings.Cut(p, ",")
				fx, errx := strconv.ParseFloat(x, 64)
				fy, erry := strconv.ParseFloat(y, 64)
				if !ok || errx != nil || erry != nil {
					t.Fatalf("point %q", p)
				}
				s.points = append(s.points, [2]float64{fx, fy})
			}
			series = append(series, s)
		}
	}
	return series, legend, w, h
}

func TestWriteSVG(t *testing.T) {
	a := fakeComparison("docker-fake", map[string][]int{
		"full-zstd":   {1000, 1000, 1000, 1000},
		SnapdeltaName: {900, 10, 0, 30},
	}, "full-zstd", SnapdeltaName)
	b := fakeComparison(`k8s <"&">`, map[string][]int{
		SnapdeltaName: {90_000, 120, 80},
		"jsonpatch":   {100_000, 5000, 7000},
		"full-zstd":   {100_000, 100_000, 100_000},
	}, SnapdeltaName, "jsonpatch", "full-zstd")
	var out strings.Builder
	if err := WriteSVG(&out, "title <with> & markup", a, b); err != nil {
		t.Fatal(err)
	}
	series, legend, w, h := parseSVG(t, out.String())

	// snapdelta first, then the others in order of appearance.
	if !slices.Equal(legend, []string{SnapdeltaName, "full-zstd", "jsonpatch"}) {
		t.Fatalf("legend %q", legend)
	}
	perPanel := map[string][]string{}
	for _, s := range series {
		perPanel[s.panel] = append(perPanel[s.panel], s.strategy)
	}
	if !slices.Equal(perPanel["docker-fake"], []string{"full-zstd", SnapdeltaName}) || !slices.Equal(perPanel[`k8s <"&">`], []string{SnapdeltaName, "jsonpatch", "full-zstd"}) {
		t.Fatalf("series per panel %q", perPanel)
	}
	for _, s := range series {
		want := 4
		if s.panel != "docker-fake" {
			want = 3
		}
		if len(s.points) != want {
			t.Fatalf("%s/%s: %d points, want one per poll", s.panel, s.strategy, len(s.points))
		}
		for i, p := range s.points {
			if p[0] < 0 || p[0] > w || p[1] < 0 || p[1] > h {
				t.Fatalf("%s/%s: point %v outside %vx%v", s.panel, s.strategy, p, w, h)
			}
			if i > 0 && p[0] <= s.points[i-1][0] {
				t.Fatalf("%s/%s: x does not grow: %v", s.panel, s.strategy, s.points)
			}
		}
	}
	// Log scale: 10 -> 1000 bytes is twice as far up as 1 -> 10, and a cycle
	// of 0 bytes is drawn at the bottom (as 1 byte), not off the chart.
	full, sd := series[0].points, series[1].points
	up2, up1 := sd[1][1]-full[1][1], sd[2][1]-sd[1][1]
	if up1 <= 0 || up2-2*up1 > 0.2 || up2-2*up1 < -0.2 {
		t.Fatalf("not a log scale: 1000 B at y=%.1f, 10 B at %.1f, 0 B at %.1f", full[1][1], sd[1][1], sd[2][1])
	}

	if err := WriteSVG(io.Discard, "none"); err == nil {
		t.Fatal("no comparison drew a chart")
	}
}

// A real run draws one series per strategy and stays well-formed.
func TestWriteSVGRealRun(t *testing.T) {
	c, err := Compare("docker-small", polls(t, DockerSmall, 3), Strategies())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := WriteSVG(&out, "one panel", c); err != nil {
		t.Fatal(err)
	}
	series, legend, _, _ := parseSVG(t, out.String())
	if n := len(Strategies()); len(series) != n || len(legend) != n {
		t.Fatalf("%d series, %d legend entries", len(series), len(legend))
	}
	for i, s := range Strategies() {
		if series[i].strategy != s.Name() {
			t.Errorf("series %d is %q, want %q", i, series[i].strategy, s.Name())
		}
	}
}

func TestDecadeLabel(t *testing.T) {
	for d, want := range map[int]string{-1: "1e-1 B", 0: "1 B", 1: "10 B", 2: "100 B", 3: "1 KB", 5: "100 KB", 6: "1 MB", 7: "10 MB", 9: "1 GB", 16: "10000 TB"} {
		if got := decadeLabel(d); got != want {
			t.Errorf("decadeLabel(%d) = %q, want %q", d, got, want)
		}
	}
}

func TestXTicks(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{0, []int{0}},
		{1, []int{0}},
		{2, []int{0, 1}},
		{9, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{10, []int{0, 2, 4, 6, 8}},
		{60, []int{0, 10, 20, 30, 40, 50}},
		{61, []int{0, 10, 20, 30, 40, 50, 60}},
	} {
		if got := xTicks(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("xTicks(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	if n := len(xTicks(1_000_000)); n > 9 {
		t.Errorf("%d ticks for a million polls", n)
	}
}
