package auth

import "time"

// The throttling policy for failed sign-ins. Failures are counted over ThrottleWindow, per
// account (the e-mail typed) and per network address; each count that passes its free
// allowance doubles a delay, from one second up to MaxThrottleDelay:
//
//   - per account: 5 free failures, then 1 s after the 6th, 2 s, 4 s … 8.5 min after the 15th, 15 min from the 16th on;
//   - per address: 20 free failures (a school's many users share one address behind its NAT),
//     then the same doubling, capped at 15 min.
//
// The delay runs from the last failure; once it has passed, one more attempt is allowed. Nothing
// ever locks an account: an attacker hammering someone's e-mail makes that person wait at most
// 15 minutes for their next attempt, never forever, and a successful sign-in clears the
// account's failures (the web also lets a signed-in session and a password-reset link through).
// At 15 minutes per guess an attacker gets under 100 guesses a day per account, against
// passwords of at least 12 characters that are not on the common list.
const (
	ThrottleWindow      = 24 * time.Hour
	MaxThrottleDelay    = 15 * time.Minute
	FreeAccountFailures = 5
	FreeAddressFailures = 20
)

// Throttle returns how long the caller must still wait before the next sign-in attempt, given
// the failures counted over ThrottleWindow for the account and for the address and the time of
// the last of them; zero means go ahead.
func Throttle(failuresForAccount, failuresForAddress int, lastFailure, now time.Time) time.Duration {
	d := max(delayAfter(failuresForAccount, FreeAccountFailures), delayAfter(failuresForAddress, FreeAddressFailures))
	if wait := lastFailure.Add(d).Sub(now); d > 0 && wait > 0 {
		return wait
	}
	return 0
}

// delayAfter is the delay after n failures with free ones allowed: 0, then 1 s doubling.
func delayAfter(n, free int) time.Duration {
	if n <= free {
		return 0
	}
	if n-free > 20 {
		return MaxThrottleDelay
	}
	return min(time.Second<<(n-free-1), MaxThrottleDelay)
}
