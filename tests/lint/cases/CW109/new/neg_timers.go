package cases

import (
	"context"
	"time"
)

// time.After in a select that is not in a loop: one timer per call.
func recvOnce(msgs <-chan Msg) (Msg, bool) {
	select {
	case m := <-msgs:
		return m, true
	case <-time.After(time.Second):
		return Msg{}, false
	}
}

// The ticker is stopped by defer.
func pollStopped(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			refresh()
		case <-ctx.Done():
			return
		}
	}
}

// The ticker is stopped explicitly.
func pollBounded(n int) {
	t := time.NewTicker(time.Millisecond)
	for i := 0; i < n; i++ {
		<-t.C
	}
	t.Stop()
}

// The ticker is returned: the caller owns it.
func newTicker(d time.Duration) *time.Ticker {
	t := time.NewTicker(d)
	return t
}

// The ticker is stored in a struct: its owner stops it.
func (p *poller) start(d time.Duration) {
	t := time.NewTicker(d)
	p.ticker = t
}

// time.Tick in main runs for the life of the program.
func main() {
	for range time.Tick(time.Second) {
		if !refresh() {
			return
		}
	}
}

// time.Tick in init: the same.
func init() {
	go func() {
		for range time.Tick(time.Minute) {
			refresh()
		}
	}()
}

// A reused timer inside the loop: stopped and reset each iteration.
func consumeTimer(msgs <-chan Msg) {
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		select {
		case m := <-msgs:
			handle(m)
			if !timer.Stop() {
				<-timer.C
			}
			timer.Reset(time.Minute)
		case <-timer.C:
			return
		}
	}
}

// A sleep with time.After in a loop, not a select case: the timer fires and is received.
func backoff(tries int) {
	for i := 0; i < tries; i++ {
		if refresh() {
			return
		}
		<-time.After(time.Duration(i) * time.Millisecond)
	}
}
