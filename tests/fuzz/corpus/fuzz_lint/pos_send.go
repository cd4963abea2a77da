package cases

import (
	"context"
	"log"
)

// The error branch closes but does not return: the loop then sends on the
// closed channel and panics "send on closed channel".
func emit(out chan<- Event, evs []Event, err error) {
	if err != nil {
		log.Print(err)
		close(out)
	}
	for _, e := range evs {
		out <- e // want CW104
	}
}

// Closed first, then the final summary is sent.
func report(results chan summary, n int) {
	close(results)
	results <- summary{count: n} // want CW104
}

// A select send case after the close is still a send on a closed channel.
func publishLast(ctx context.Context, updates chan string, last string) {
	close(updates)
	select {
	case updates <- last: // want CW104
	case <-ctx.Done():
	}
}

// A struct field closed in one branch, sent on after it.
func (b *bus) Publish(ev Event) {
	if b.stopped {
		close(b.events)
	}
	b.events <- ev // want CW104
}

// A switch case closes and the send after the switch runs on that path too.
func forward(kind int, out chan int, v int) {
	switch kind {
	case 0:
		close(out)
	case 1:
		v *= 2
	}
	out <- v // want CW104
}
