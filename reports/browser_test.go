package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBrowserRendersReport opens index.html in headless Chromium (Debian's
// chromium package; .ci/run installs it): the rendered DOM keeps every
// figure's SVG and the table of contents, the summary's links to the
// findings and the links between tables and failure reports
// (requireAnchors), every figure spans the text column as laid out (a
// script the test adds to its copy of the page measures each rendered SVG
// against the body's width), the console logs no error, and the screenshot
// is not blank.
func TestBrowserRendersReport(t *testing.T) {
	var bin string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no headless browser: install Debian's chromium package (apt-get install chromium) to run this test; .ci/run does")
	}
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Write(dir, sampleReport(t)))
	page := filepath.Join(dir, "index.html")
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	const measure = `<script>for (const d of document.querySelectorAll('details')) d.open = true;
for (const f of document.querySelectorAll('figure.plot')) {
const s = f.querySelector('svg'); const cs = getComputedStyle(document.body);
const col = document.body.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
f.setAttribute('data-width-ratio', (s.getBoundingClientRect().width / col).toFixed(3)); }</script></body>`
	require.NoError(t, os.WriteFile(page, bytes.Replace(html, []byte("</body>"), []byte(measure), 1), 0o644))
	index := "file://" + page
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	runBrowser := func(extra ...string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(append(flags, extra...), index)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), "chromium: %s", errb.String())
		return out.String(), errb.String()
	}
	dom, logs := runBrowser("--dump-dom", "--window-size=1280,2400")
	requireAnchors(t, dom)
	ratios := regexp.MustCompile(`data-width-ratio="([0-9.]+)"`).FindAllStringSubmatch(dom, -1)
	require.Len(t, ratios, 4, "every figure measured")
	for _, m := range ratios {
		r, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		require.InDeltaf(t, 1, r, 0.02, "a figure is %.0f%% of the text column's width", 100*r)
	}
	require.Equal(t, 4, strings.Count(dom, `<figure class="plot"`))
	require.Equal(t, 4, strings.Count(dom, "<svg"), "a figure did not render as SVG")
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("the page logged: %s", line)
		}
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	runBrowser("--screenshot="+shot, "--window-size=1280,2400", "--hide-scrollbars")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0xc000 {
				dark++
			}
		}
	}
	total := (b.Dx() / 4) * (b.Dy() / 4)
	require.Greater(t, float64(dark)/float64(total), 0.01, "the screenshot is nearly blank")
	t.Logf("chromium rendered %dx%d, %.1f%% ink", b.Dx(), b.Dy(), 100*float64(dark)/float64(total))
}
