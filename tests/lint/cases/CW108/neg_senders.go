package cases

import (
	"context"
	"sync"
)

// Capacity len(urls): every checker can send and exit after the early return.
func checkAllBuffered(urls []string) error {
	errc := make(chan error, len(urls))
	for _, u := range urls {
		go func(u string) { errc <- check(u) }(u)
	}
	for range urls {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Three senders, three receives.
func fetchThree(a, b, c string) []string {
	ch := make(chan string)
	go func() { ch <- fetch(a) }()
	go func() { ch <- fetch(b) }()
	go func() { ch <- fetch(c) }()
	return []string{<-ch, <-ch, <-ch}
}

// Loop form without an early exit: every value is received.
func checkEvery(urls []string) []error {
	errc := make(chan error)
	for _, u := range urls {
		go func(u string) { errc <- check(u) }(u)
	}
	var errs []error
	for range urls {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Capacity covers the losers: 3 senders, 1 receive, capacity 2.
func fastestOfThree(a, b, c string) string {
	ch := make(chan string, 2)
	go func() { ch <- fetch(a) }()
	go func() { ch <- fetch(b) }()
	go func() { ch <- fetch(c) }()
	return <-ch
}

// The senders select on ctx.Done: they leave when the caller cancels.
func fastestCancellable(ctx context.Context, a, b string) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan string)
	go func() {
		select {
		case ch <- fetch(a):
		case <-ctx.Done():
		}
	}()
	go func() {
		select {
		case ch <- fetch(b):
		case <-ctx.Done():
		}
	}()
	return <-ch
}

// continue does not leave the receiving loop.
func countOK(urls []string) int {
	errc := make(chan error)
	for _, u := range urls {
		go func(u string) { errc <- check(u) }(u)
	}
	n := 0
	for range urls {
		if err := <-errc; err != nil {
			continue
		}
		n++
	}
	return n
}

// break inside a switch leaves the switch, not the receiving loop.
func firstNonEmpty(paths []string) string {
	found := make(chan string)
	for _, p := range paths {
		go func(p string) { found <- find(p) }(p)
	}
	res := ""
	for range paths {
		switch f := <-found; f {
		case "":
			break
		default:
			if res == "" {
				res = f
			}
		}
	}
	return res
}

// WaitGroup, closer goroutine and range: every value is received.
func fetchAllWG(urls []string) []string {
	ch := make(chan string)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			ch <- fetch(u)
		}(u)
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []string
	for s := range ch {
		out = append(out, s)
	}
	return out
}
