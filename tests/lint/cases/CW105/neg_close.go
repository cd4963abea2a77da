package cases

import (
	"context"
	"sync"
)

// The sender closes; the receiver only ranges.
func sumProduced(n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- i
		}
	}()
	s := 0
	for v := range ch {
		s += v
	}
	return s
}

// The receiver closes a separate done channel; the sender selects on it.
func firstValue(ctx context.Context) int {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case ch <- i:
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	v := <-ch
	close(done)
	return v
}

// Only this function sends: filling a buffered channel, closing it, draining it.
func buffered() int {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
	s := 0
	for v := range ch {
		s += v
	}
	return s
}

// A pipeline stage: it receives from in and closes out.
func double(xs []int) []int {
	in := make(chan int)
	out := make(chan int, len(xs))
	go func() {
		defer close(in)
		for _, x := range xs {
			in <- x
		}
	}()
	for v := range in {
		out <- handle(v)
	}
	close(out)
	var res []int
	for v := range out {
		res = append(res, v)
	}
	return res
}

// The close is in a closer goroutine that does not receive.
func gather(n int) []int {
	results := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- handle(i)
		}(i)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []int
	for r := range results {
		out = append(out, r)
	}
	return out
}

// The goroutine only receives (an acknowledgement channel); no one else sends.
func handshake() {
	ack := make(chan struct{})
	go func() {
		<-ack
	}()
	ack <- struct{}{}
	close(ack)
}

// One goroutine sends one value; the receiver takes it, then closes: nothing can send after.
func oneResult(work func() int) int {
	done := make(chan int)
	go func() {
		done <- work()
	}()
	v := <-done
	close(done)
	return v
}

// The sender's loop sends once and leaves: after the receive, nothing can send.
func firstReady(items []int) int {
	started := make(chan int)
	go func() {
		for _, it := range items {
			if it > 0 {
				started <- it
				break
			}
		}
	}()
	v := <-started
	close(started)
	return v
}

// Closed once every expected value was counted in: no sender is left.
func collectAll(jobs []int) []int {
	results := make(chan int, len(jobs))
	for _, j := range jobs {
		go func(j int) { results <- handle(j) }(j)
	}
	var got []int
	for r := range results {
		got = append(got, r)
		if len(got) == len(jobs) {
			close(results)
		}
	}
	return got
}

// The function started with go sends its one value from a defer.
func reportOnce(done chan struct{}) {
	defer func() { done <- struct{}{} }()
	handle(1)
}

func waitReport() {
	done := make(chan struct{})
	go reportOnce(done)
	<-done
	close(done)
}
