package cases

import (
	"context"
	"log"
)

// The error branch closes and falls through to the second close: panic
// "close of closed channel" whenever err != nil.
func (s *server) shutdown(err error) {
	if err != nil {
		log.Print(err)
		close(s.quit)
	}
	close(s.quit) // want CW103
}

// Straight-line double close after a refactoring.
func finish(out chan string, last string) {
	out <- last
	close(out)
	log.Print("done")
	close(out) // want CW103
}

// close inside the loop body, of a channel made outside it: the second
// iteration panics.
func startWorkers(n int) chan struct{} {
	ready := make(chan struct{})
	for i := 0; i < n; i++ {
		go work(i)
		close(ready) // want CW103
	}
	return ready
}

// The loop form with a parameter and a range loop.
func announce(names []string, started chan struct{}) {
	for _, name := range names {
		log.Print(name)
		close(started) // want CW103
	}
}

// A switch case that does not return flows on to the close after the switch.
func stop(state int, out chan int) {
	switch state {
	case stateError:
		close(out)
	case stateDone:
		log.Print("done")
	}
	close(out) // want CW103
}

// The select case closes and falls out of the select to the second close.
func drainOrCancel(ctx context.Context, in <-chan int, results chan int) {
	select {
	case <-ctx.Done():
		close(results)
	case v := <-in:
		results <- v
	}
	close(results) // want CW103
}
