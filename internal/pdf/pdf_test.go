package pdf

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestRender prints a short Arabic document twice in the same renderer (the second in the kept
// tab): each is a tagged PDF that names its language, and the browser is not started again.
// Without Chromium the test fails under CI=true and is skipped, loudly, elsewhere.
func TestRender(t *testing.T) {
	r := New(Options{})
	defer r.Close()
	if err := r.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Log("!! " + err.Error())
		t.Skip(err)
	}
	html := []byte(`<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خطة</title></head>
<body><main><h1>برنامج التعليم الفردي</h1><table><caption>الخدمات</caption><thead><tr><th scope="col">أ</th></tr></thead><tbody><tr><td>١</td></tr></tbody></table></main></body></html>`)
	var browser any
	for i := range 2 {
		out, err := r.Render(context.Background(), html, Page{Footer: `<span class="pageNumber"></span>`})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"%PDF-", "/StructTreeRoot", "/S /H1", "/S /Table", "/Lang (ar)"} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("render %d: no %s", i, want)
			}
		}
		if i == 1 && browser != any(r.browser) {
			t.Error("the browser was started again")
		}
		browser = r.browser
	}
}

// TestUnavailable: without a browser, Render says what to install and prints nothing.
func TestUnavailable(t *testing.T) {
	r := New(Options{ExecPath: "/nonexistent/chromium"})
	_, err := r.Render(context.Background(), []byte("<html></html>"), Page{})
	var un *UnavailableError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "apt-get install chromium fonts-noto-core fonts-noto-cjk") {
		t.Fatalf("Render without Chromium = %v", err)
	}
	if r.Available() == nil {
		t.Error("Available says yes")
	}
}
