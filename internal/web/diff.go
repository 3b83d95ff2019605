package web

import (
	"strings"
	"unicode"
)

// diffPart is a run of words of a difference between two texts: kept, deleted or inserted.
type diffPart struct {
	Op   byte // '=', '-', '+'
	Text string
}

// maxDiffWords bounds the word-by-word comparison (its table is words × words); longer texts
// are shown as one deletion and one insertion.
const maxDiffWords = 3000

// wordDiff compares two texts word by word (a word keeps the spaces after it) by the longest
// common subsequence, and returns the runs in order.
func wordDiff(a, b string) []diffPart {
	if a == b {
		if a == "" {
			return nil
		}
		return []diffPart{{'=', a}}
	}
	x, y := words(a), words(b)
	if len(x) > maxDiffWords || len(y) > maxDiffWords {
		return compact([]diffPart{{'-', a}, {'+', b}})
	}
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffPart
	add := func(op byte, s string) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += s
			return
		}
		out = append(out, diffPart{op, s})
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			add('=', x[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			add('-', x[i])
			i++
		default:
			add('+', y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		add('-', x[i])
	}
	for ; j < len(y); j++ {
		add('+', y[j])
	}
	return out
}

func compact(ps []diffPart) []diffPart {
	out := ps[:0]
	for _, p := range ps {
		if p.Text != "" {
			out = append(out, p)
		}
	}
	return out
}

// words splits s into words, each with the white space that follows it.
func words(s string) []string {
	var out []string
	for s != "" {
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			out = append(out, s)
			break
		}
		rest := strings.TrimLeftFunc(s[end:], unicode.IsSpace)
		n := len(s) - len(rest)
		out = append(out, s[:n])
		s = rest
	}
	return out
}
