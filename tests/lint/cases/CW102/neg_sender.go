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
