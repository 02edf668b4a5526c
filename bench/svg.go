package bench

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// Chart geometry, in SVG user units (pixels).
const (
	panelW, panelH  = 560, 340
	plotL, plotR    = 78, 16 // margins of the plot inside a panel
	plotT, plotB    = 34, 52
	chartTop        = 78 // title and legend above the panels
	chartFoot       = 40 // caption below them
	seriesMarkerMax = 12 // mark every point when a series has at most this many
)

// palette gives each strategy a colour that stays the same in every panel;
// snapdelta's is the first, and its line the widest.
var palette = []string{"#d62728", "#1f77b4", "#7f7f7f", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"}

// WriteSVG draws the wire bytes of every cycle of each comparison, one panel
// per comparison (two side by side), as a standalone SVG document: one
// polyline per strategy over the polls on a log-scale y axis, a legend, axis
// labels and a caption, so the picture reads on its own. Each series is a
// <polyline class="series" data-strategy="NAME"> inside a
// <g class="panel" data-source="SOURCE">.
func WriteSVG(w io.Writer, title string, cs ...*Comparison) error {
	if len(cs) == 0 {
		return fmt.Errorf("bench: svg: no comparison to draw")
	}
	var names []string
	color := map[string]int{}
	for _, c := range cs {
		for _, r := range c.Results {
			if _, ok := color[r.Strategy]; !ok {
				color[r.Strategy] = len(names)
				names = append(names, r.Strategy)
			}
		}
	}
	// snapdelta takes the first colour wherever it appears in the list.
	if i, ok := color[SnapdeltaName]; ok && i != 0 {
		names[0], names[i] = names[i], names[0]
		color[names[0]], color[names[i]] = 0, i
	}

	cols := min(2, len(cs))
	rows := (len(cs) + cols - 1) / cols
	width := cols * panelW
	height := chartTop + rows*panelH + chartFoot

	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc(title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" text-anchor="middle" font-size="17" font-weight="bold">%s</text>`+"\n", width/2, esc(title))

	// Legend: one swatch per strategy, in a row (two rows when crowded).
	b.WriteString(`<g class="legend">` + "\n")
	perRow := len(names)
	if perRow*150 > width-20 {
		perRow = (len(names) + 1) / 2
	}
	step := min(150, (width-20)/max(perRow, 1))
	x0 := (width - perRow*step) / 2
	for i, n := range names {
		x := x0 + (i%perRow)*step
		y := 46 + (i/perRow)*18
		fmt.Fprintf(&b, `<g class="legend-entry" data-strategy="%s"><line x1="%d" y1="%d" x2="%d" y2="%d" %s/><text x="%d" y="%d">%s</text></g>`+"\n",
			esc(n), x, y, x+26, y, stroke(n, color[n]), x+32, y+4, esc(n))
	}
	b.WriteString("</g>\n")

	for i, c := range cs {
		ox := (i % cols) * panelW
		oy := chartTop + (i/cols)*panelH
		writePanel(&b, c, ox, oy, color)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#444444">Every strategy sends poll 0 whole; later polls carry a delta, except full-gzip and full-zstd, which always send the whole snapshot.</text>`+"\n",
		width/2, height-16)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// stroke returns the line attributes of strategy n drawn in colour i.
func stroke(n string, i int) string {
	s := fmt.Sprintf(`stroke="%s" stroke-width="%s" fill="none"`, palette[i%len(palette)], map[bool]string{true: "3", false: "1.6"}[n == SnapdeltaName])
	if strings.HasPrefix(n, "full-") {
		s += ` stroke-dasharray="6 3"`
	}
	return s
}

func writePanel(b *strings.Builder, c *Comparison, ox, oy int, color map[string]int) {
	pw, ph := float64(panelW-plotL-plotR), float64(panelH-plotT-plotB)
	px, py := float64(ox+plotL), float64(oy+plotT)

	// The y range spans whole decades around every cycle's size.
	lo, hi := math.Inf(1), 0.0
	for _, r := range c.Results {
		for _, cy := range r.Cycles {
			v := math.Max(float64(cy.WireBytes), 1)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi <= dlo {
		dhi = dlo + 1
	}
	yOf := func(v float64) float64 {
		return py + ph - (math.Log10(math.Max(v, 1))-dlo)/(dhi-dlo)*ph
	}
	n := c.Polls
	xOf := func(i int) float64 {
		if n <= 1 {
			return px + pw/2
		}
		return px + float64(i)/float64(n-1)*pw
	}

	fmt.Fprintf(b, `<g class="panel" data-source="%s">`+"\n", esc(c.Source))
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="14" font-weight="bold">%s (%s snapshots)</text>`+"\n",
		px+pw/2, oy+20, esc(c.Source), formatBytes(c.RawBytes/int64(max(c.Polls, 1))))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fafafa" stroke="#999999"/>`+"\n", px, py, pw, ph)

	// Decade grid lines, labelled; fainter lines at 2x and 5x.
	for d := dlo; d <= dhi; d++ {
		y := yOf(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#cccccc"/>`+"\n", px, y, px+pw, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", px-6, y+4, decadeLabel(int(d)))
		if d < dhi {
			for _, m := range []float64{2, 5} {
				y := yOf(m * math.Pow(10, d))
				fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eeeeee"/>`+"\n", px, y, px+pw, y)
			}
		}
	}
	for _, i := range xTicks(n) {
		x := xOf(i)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999999"/>`+"\n", x, py+ph, x, py+ph+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x, py+ph+18, i)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">poll (one a minute)</text>`+"\n", px+pw/2, py+ph+36)
	fmt.Fprintf(b, `<text transform="translate(%d %.1f) rotate(-90)" text-anchor="middle">wire bytes per cycle (log scale)</text>`+"\n", ox+16, py+ph/2)

	for _, r := range c.Results {
		var pts strings.Builder
		for _, cy := range r.Cycles {
			fmt.Fprintf(&pts, "%.1f,%.1f ", xOf(cy.Poll), yOf(float64(cy.WireBytes)))
		}
		fmt.Fprintf(b, `<polyline class="series" data-strategy="%s" %s points="%s"><title>%s: %.0f bytes per steady-state cycle</title></polyline>`+"\n",
			esc(r.Strategy), stroke(r.Strategy, color[r.Strategy]), strings.TrimSpace(pts.String()), esc(r.Strategy), r.Deltas.MeanBytes)
		if len(r.Cycles) <= seriesMarkerMax {
			for _, cy := range r.Cycles {
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", xOf(cy.Poll), yOf(float64(cy.WireBytes)), palette[color[r.Strategy]%len(palette)])
			}
		}
	}
	b.WriteString("</g>\n")
}

// decadeLabel names 10^d bytes: 1 B, 10 B, 100 B, 1 KB, ...
func decadeLabel(d int) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	if d < 0 {
		return fmt.Sprintf("1e%d B", d)
	}
	u := min(d/3, len(units)-1)
	return fmt.Sprintf("%.0f %s", math.Pow(10, float64(d-3*u)), units[u])
}

// xTicks returns up to about eight round poll numbers from 0 to n-1.
func xTicks(n int) []int {
	if n <= 1 {
		return []int{0}
	}
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		step = s
		if (n-1)/s <= 8 {
			break
		}
	}
	for (n-1)/step > 8 {
		step *= 10
	}
	var t []int
	for i := 0; i < n; i += step {
		t = append(t, i)
	}
	return t
}

// esc escapes text for an XML attribute or element.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
