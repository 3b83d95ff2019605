package web

// The browser harness: headless Debian Chromium driven with chromedp, axe-core for WCAG 2.1 AA,
// screenshots saved for people to look at. Later pages' tests reuse it:
//
//	b := newBrowser(t)
//	b.visit(t, "overview-en", srv.URL+"/districts/x?lang=en", 1280, 900)
//	b.checkAxe(t, "overview-en")
//	b.screenshot(t, "overview-en")

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe.min.js
var axeSource string

// axeTags are the rule sets every page must pass: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// browser is one headless Chromium with one tab, for one test.
type browser struct {
	ctx context.Context
	out string // where screenshots go
}

// newBrowser starts Debian's Chromium with a fresh profile and the test's own flags. Without
// Chromium the test fails under CI=true and is skipped, loudly, elsewhere.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		const msg = "Chromium is not installed: the browser tests need Debian's package `chromium` (apt-get install chromium)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Log("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
		t.Log("!! " + msg)
		t.Log("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
		t.Skip(msg)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; it must not run under a timeout of its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return &browser{ctx: ctx, out: outputDir(t)}
}

// outputDir is where a test's screenshots go: $OPENIEP_TEST_OUTPUT/<test name> when set (so
// they outlive the run), else a temporary folder.
func outputDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("OPENIEP_TEST_OUTPUT")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, "browser", safeName(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create the screenshot folder: %v", err)
	}
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// step runs actions on the tab with a time limit.
func (b *browser) step(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// visit sets the viewport to width × height CSS pixels and loads url, waiting for the page.
func (b *browser) visit(t *testing.T, name, url string, width, height int64) {
	t.Helper()
	b.step(t, name+": visit "+url,
		chromedp.EmulateViewport(width, height),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	)
}

// axeViolation is the part of axe-core's result the test reports.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	URL   string `json:"helpUrl"`
	Nodes []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the loaded page (runAxe) and fails the test on any violation,
// naming its rule, its help text and every node it found.
func (b *browser) checkAxe(t *testing.T, name string) {
	t.Helper()
	for _, v := range b.runAxe(t, name) {
		var nodes []string
		for _, n := range v.Nodes {
			target, _ := json.Marshal(n.Target)
			nodes = append(nodes, "\n      "+string(target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
		}
		t.Errorf("%s: axe %s: %s (%s)%s", name, v.ID, v.Help, v.URL, strings.Join(nodes, ""))
	}
}

// runAxe injects axe-core into the loaded page and returns the violations of the WCAG 2.0 and
// 2.1 A and AA rules (axeTags).
func (b *browser) runAxe(t *testing.T, name string) []axeViolation {
	t.Helper()
	tags, _ := json.Marshal(axeTags)
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]})
		.then(r => JSON.stringify(r.violations))`
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", name, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", name, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("%s: read axe-core's result: %v", name, err)
	}
	return violations
}

// screenshot saves a PNG of the whole page, at the viewport's full width, as <name>.png in
// the output folder. (chromedp's FullScreenshot lays the page out again without the scroll
// bar and crops it, which misleads a reader at narrow widths; a clip of the layout avoids it.)
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	size := evalIn[[]float64](t, b, `[window.innerWidth, document.documentElement.scrollHeight]`)
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	beyond := true
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: size[0], Height: size[1], Scale: 1},
			CaptureBeyondViewport: &beyond,
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	file := filepath.Join(b.out, safeName(name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("%s: save the screenshot: %v", name, err)
	}
	t.Logf("%s: screenshot %s", name, file)
}

// evalIn runs a script in the page and returns its value.
func evalIn[T any](t *testing.T, b *browser, script string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %q: %v", script, err)
	}
	return v
}
