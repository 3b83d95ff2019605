// Package pdf turns a document's HTML into a tagged PDF in headless Chromium, driven with
// chromedp. One browser is started on the first request and kept running; each document is
// printed in a tab of its own, a few at a time, and the tab is closed after. When the browser
// dies (a crash, the system short of memory) the next request starts another.
//
// The HTML must be whole: styles inline, fonts installed on the machine (Debian's Noto
// packages), no script and nothing fetched (the documents carry a Content-Security-Policy that
// forbids it). The PDF is tagged (headings, lists, tables, reading order) with an outline of the
// headings, and its catalog names the document's language (Chromium takes it from the <html
// lang> attribute).
//
// Without Chromium, Render returns an *UnavailableError that names the packages to install; the
// HTML views do not need this package.
package pdf

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Packages are the Debian packages documents need: the browser and the fonts that cover the
// scripts of the families' languages (Latin with Vietnamese marks, Arabic, Chinese).
const Packages = "chromium fonts-noto-core fonts-noto-cjk"

// UnavailableError is the answer when no Chromium can be run: what is missing and what to install.
type UnavailableError struct {
	Reason string
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("PDF documents need Chromium: %s; install Debian's packages %q (apt-get install %s), or read the document's HTML view", e.Reason, Packages, Packages)
}

// Options configure a Renderer; the zero value finds Chromium on the PATH.
type Options struct {
	// ExecPath is the browser to run; "" looks for chromium, chromium-browser, google-chrome.
	ExecPath string
	// Tabs is how many documents print at once (default 2: one per core of a small server).
	Tabs int
	// Timeout bounds one document (default 60 s: a first render starts the browser).
	Timeout time.Duration
	// Log receives the browser's starts and failures (never a document's content).
	Log *slog.Logger
}

// Page is the paper and what is printed in the margins of every page.
type Page struct {
	// Header and Footer are HTML printed in the top and bottom margins of every page; Chromium
	// fills elements of class pageNumber and totalPages. They are artifacts in the tagged PDF
	// (not read as content), so everything in them must also be in the document.
	Header, Footer string
}

// Renderer prints documents. It is safe for concurrent use; Close stops its browser.
type Renderer struct {
	opts    Options
	path    string
	missing error
	slots   chan struct{} // one per document printing now
	idle    chan *tab     // open tabs waiting for the next document

	mu      sync.Mutex
	browser context.Context // nil until the first render, and after the browser died
	stop    func()
	dataDir string
}

// New returns a renderer. It does not start the browser: the first Render does.
func New(o Options) *Renderer {
	if o.Tabs <= 0 {
		o.Tabs = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := &Renderer{opts: o, slots: make(chan struct{}, o.Tabs), idle: make(chan *tab, o.Tabs)}
	r.path, r.missing = findBrowser(o.ExecPath)
	return r
}

// findBrowser returns the browser to run, or why there is none.
func findBrowser(path string) (string, error) {
	if path != "" {
		if _, err := exec.LookPath(path); err != nil {
			return "", &UnavailableError{Reason: fmt.Sprintf("%s cannot be run (%v)", path, err)}
		}
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", &UnavailableError{Reason: "no chromium on the PATH"}
}

// Available reports whether documents can be printed: nil, or the *UnavailableError Render
// would return.
func (r *Renderer) Available() error { return r.missing }

// Render prints html (a whole document) as a tagged PDF on US Letter paper, with the page's
// header and footer. The paper's margins come from the document's CSS (@page) when it sets them.
func (r *Renderer) Render(ctx context.Context, html []byte, pg Page) ([]byte, error) {
	if r.missing != nil {
		return nil, r.missing
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-r.slots }()
	tb, err := r.take()
	if err != nil {
		return nil, err
	}
	out, err := r.print(ctx, tb, html, pg)
	switch {
	case err == nil:
		r.idle <- tb // a free slot guarantees room
	case tb.browser.Err() != nil:
		// The browser is gone: forget it, so that the next document starts another.
		tb.close()
		r.forget(tb.browser)
		r.opts.Log.Warn("chromium stopped; the next document starts it again", "err", err)
	default:
		tb.close()
	}
	if err != nil {
		return nil, fmt.Errorf("print the document in Chromium: %w", err)
	}
	return out, nil
}

// tab is an open tab of a browser, kept between documents (opening one costs more than
// printing a short document).
type tab struct {
	ctx     context.Context
	close   func()
	browser context.Context
}

// take returns an idle tab of the running browser, or opens one.
func (r *Renderer) take() (*tab, error) {
	browser, err := r.start()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case tb := <-r.idle:
			if tb.browser == browser && tb.ctx.Err() == nil {
				return tb, nil
			}
			tb.close()
			continue
		default:
		}
		break
	}
	ctx, cancel := chromedp.NewContext(browser)
	// The first action opens the tab, without a deadline (a deadline would close it).
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab in Chromium: %w", err)
	}
	return &tab{ctx: ctx, close: cancel, browser: browser}, nil
}

// start returns the running browser's context, starting the browser when there is none.
func (r *Renderer) start() (context.Context, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.browser != nil && r.browser.Err() == nil {
		return r.browser, nil
	}
	r.closeLocked()
	dir, err := os.MkdirTemp("", "openiep-chromium-")
	if err != nil {
		return nil, fmt.Errorf("a profile folder for Chromium: %w", err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(r.path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(dir),
	)
	quiet := func(string, ...any) {} // chromedp's own messages name no document; nothing to keep
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithLogf(quiet), chromedp.WithErrorf(quiet))
	began := time.Now()
	// The first action starts the browser; it runs without a deadline of its own, because a
	// deadline would stop the browser when it passes.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
		return nil, &UnavailableError{Reason: fmt.Sprintf("%s did not start (%v)", r.path, err)}
	}
	r.opts.Log.Info("chromium started for documents", "path", r.path, "ms", time.Since(began).Milliseconds())
	r.browser, r.dataDir = ctx, dir
	r.stop = func() { cancel(); cancelAlloc() }
	return ctx, nil
}

// forget drops browser if it is still the current one.
func (r *Renderer) forget(browser context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.browser == browser {
		r.closeLocked()
	}
}

func (r *Renderer) closeLocked() {
	if r.stop != nil {
		r.stop()
	}
	if r.dataDir != "" {
		os.RemoveAll(r.dataDir)
	}
	r.browser, r.stop, r.dataDir = nil, nil, ""
}

// Close stops the browser; a later Render starts another.
func (r *Renderer) Close() error {
	for {
		select {
		case tb := <-r.idle:
			tb.close()
			continue
		default:
		}
		break
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	return nil
}

// print loads html into the tab, waits for its fonts, and prints it.
func (r *Renderer) print(ctx context.Context, tb *tab, html []byte, pg Page) ([]byte, error) {
	// The request's end ends the document, and so does the timeout; the tab stays open.
	run, cancel := context.WithTimeout(tb.ctx, r.opts.Timeout)
	defer cancel()
	stopOnDone := context.AfterFunc(ctx, cancel)
	defer stopOnDone()
	return chromedp.Run(run, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{
			FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
			return nil, err
		}
		yes := true
		// Every font the text needs is loaded before the page is printed.
		if _, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{
			Expression: "document.fonts.ready.then(() => true)", AwaitPromise: &yes, ReturnByValue: &yes}); err != nil {
			return nil, err
		}
		zero := 0.0
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{
			PrintBackground:         &yes,
			PreferCSSPageSize:       &yes,
			GenerateTaggedPDF:       &yes,
			GenerateDocumentOutline: &yes,
			DisplayHeaderFooter:     &yes,
			HeaderTemplate:          orEmpty(pg.Header),
			FooterTemplate:          orEmpty(pg.Footer),
			MarginTop:               &zero, // the document's @page rule sets the margins
			MarginBottom:            &zero,
			MarginLeft:              &zero,
			MarginRight:             &zero,
			PaperWidth:              8.5,
			PaperHeight:             11,
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	})
}

// orEmpty is a header or footer: Chromium prints its own (the date, the URL) when given "".
func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "<span></span>"
	}
	return s
}
