package demo

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// idGen makes UUID version 7 identifiers deterministically: the 48-bit timestamp counts up one
// millisecond per id from a base derived from Config.Today, and the 74 random bits come from
// the seeded source. Ids are therefore unique, time-ordered (they index well) and identical for
// the same seed.
type idGen struct {
	r  *rand.Rand
	ms uint64
}

// idSpan is how many ids one batch may draw before its timestamps would meet the next batch's.
const idSpan = 1 << 23

func newIDGen(r *rand.Rand, today date.Date, stream int) *idGen {
	base := today.AddDays(-60).Time().UnixMilli()
	return &idGen{r: r, ms: uint64(base) + uint64(stream)*idSpan}
}

const hexDigits = "0123456789abcdef"

// next returns a new id in the canonical 8-4-4-4-12 form.
func (g *idGen) next() string {
	var b [16]byte
	ms := g.ms
	g.ms++
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	ra, rb := g.r.Uint64(), g.r.Uint64()
	b[6] = 0x70 | byte(ra>>8)&0x0f
	b[7] = byte(ra)
	b[8] = 0x80 | byte(rb>>56)&0x3f
	for i := 9; i < 16; i++ {
		b[i] = byte(rb >> (8 * (15 - i)))
	}
	var s [36]byte
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[x>>4], hexDigits[x&0x0f]
		j += 2
	}
	return string(s[:])
}

// rng wraps the seeded source with the few draws the generator needs.
type rng struct{ *rand.Rand }

func newRNG(seed int64, stream uint64) rng {
	return rng{rand.New(rand.NewPCG(uint64(seed), stream*0x9e3779b97f4a7c15+0x5851f42d4c957f2d))}
}

// between returns a uniform integer in [lo, hi]; hi < lo gives lo.
func (r rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// pick returns a uniform element of xs (which must not be empty).
func pick[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns an index into weights with probability proportional to its weight.
func (r rng) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// jsonData builds a small JSON object from key/value string pairs (ids and codes only: event
// data never carries free text about a child). Empty values are left out.
func jsonData(kv ...string) []byte {
	b := make([]byte, 0, 96)
	b = append(b, '{')
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendQuote(b, kv[i])
		b = append(b, ':')
		b = strconv.AppendQuote(b, kv[i+1])
	}
	return append(b, '}')
}

// at returns the instant of hour:minute on day d in loc, in UTC.
func at(d date.Date, hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc).UTC()
}

// dayNum is d as a count of days since 1970-01-01, a cheap map key.
func dayNum(d date.Date) int32 { return int32(d.Time().Unix() / 86400) }

func minDate(a, b date.Date) date.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b date.Date) date.Date {
	if a.After(b) {
		return a
	}
	return b
}
