package cases

import (
	"context"
	"errors"
	"sort"
	"time"
)

// Capacity 1 for one send: the goroutine finishes even when nobody receives.
func fetchBuffered(ctx context.Context, url string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// The sender itself selects on ctx.Done.
func fetchCancellable(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		select {
		case ch <- fetch(url):
		case <-ctx.Done():
		}
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// The receive is unconditional and no return precedes it.
func fetchSync(url string) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	return <-ch
}

// The early return comes before the go statement.
func validateAsync(path string) error {
	if path == "" {
		return errors.New("empty path")
	}
	done := make(chan error)
	go func() {
		done <- validate(path)
	}()
	return <-done
}

// Returns inside the goroutine are not returns of the function.
func checkPath(path string) error {
	errc := make(chan error)
	go func() {
		if path == "" {
			errc <- errors.New("empty")
			return
		}
		errc <- validate(path)
	}()
	return <-errc
}

// A return inside another function literal between go and the receive does not end the path.
func sortedFetch(urls []string) (string, []string) {
	ch := make(chan string)
	go func() {
		ch <- fetch(urls[0])
	}()
	sort.Slice(urls, func(i, j int) bool {
		return urls[i] < urls[j]
	})
	return <-ch, urls
}

// A non-blocking send: the sender drops the value instead of blocking.
func tryNotify(ctx context.Context, msg string) {
	ch := make(chan string)
	go func() {
		select {
		case ch <- msg:
		default:
		}
	}()
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// The goroutine closes instead of sending: a close never blocks.
func waitDone(ctx context.Context, work func()) error {
	done := make(chan struct{})
	go func() {
		work()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}

// The other case is signalled only from the sender's deferred recover, after a panic that
// skipped the send: the receiver takes one or the other, never abandons the sender.
func queryOrPanic(q func() int) int {
	done := make(chan bool)
	result := make(chan int)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- true
			}
		}()
		result <- q()
	}()
	select {
	case v := <-result:
		return v
	case <-done:
		return -1
	}
}

// testify's Eventually: the tick case disables itself while a check runs, so one goroutine
// at a time sends into the one-slot buffer.
func eventually(cond func() bool, waitFor, tick time.Duration) bool {
	ch := make(chan bool, 1)
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var tickC <-chan time.Time = ticker.C
	for {
		select {
		case <-timer.C:
			return false
		case <-tickC:
			tickC = nil
			go func() { ch <- cond() }()
		case v := <-ch:
			if v {
				return true
			}
			tickC = ticker.C
		}
	}
}

// A writer is started only when none is in flight: at most one failure is ever sent.
func broadcastLoop(queue chan []int, send func([]int) error, term chan struct{}) {
	var done chan struct{}
	fail := make(chan error, 1)
	var pending []int
	for {
		if done == nil && len(pending) > 0 {
			batch := pending
			pending = nil
			done = make(chan struct{})
			go func() {
				if err := send(batch); err != nil {
					fail <- err
					return
				}
				close(done)
			}()
		}
		select {
		case b := <-queue:
			pending = append(pending, b...)
		case <-done:
			done = nil
		case <-fail:
			return
		case <-term:
			return
		}
	}
}
