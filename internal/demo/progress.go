package demo

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress reports how far Generate has got: on a terminal a single line redrawn in place
// (bar, percent, rows per second, time left), elsewhere a line at every 10%.
type progress struct {
	w         io.Writer
	tty       bool
	total     int
	done      int
	rows      int
	began     time.Time
	lastTenth int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: max(total, 1), began: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// add records n more students and rows written.
func (p *progress) add(students, rows int) {
	if p.w == nil {
		return
	}
	p.done += students
	p.rows += rows
	el := time.Since(p.began)
	frac := float64(p.done) / float64(p.total)
	rate := float64(p.rows) / max(el.Seconds(), 1e-3)
	eta := time.Duration(0)
	if frac > 0 {
		eta = time.Duration(float64(el) * (1 - frac) / frac).Round(time.Second)
	}
	if p.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d students  %.0f rows/s  ETA %s ",
			strings.Repeat("#", n), strings.Repeat(".", width-n), 100*frac, p.done, rate, eta)
		return
	}
	if tenth := int(frac * 10); tenth > p.lastTenth {
		p.lastTenth = tenth
		fmt.Fprintf(p.w, "demo: %3.0f%% (%d of %d students, %.0f rows/s, about %s left)\n", 100*frac, p.done, p.total, rate, eta)
	}
}

// finish ends the report with the totals.
func (p *progress) finish() {
	if p.w == nil {
		return
	}
	if p.tty {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "demo: %d students, %d rows in %s\n", p.done, p.rows, time.Since(p.began).Round(time.Millisecond))
}
