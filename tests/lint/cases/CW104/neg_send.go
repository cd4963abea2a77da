package cases

// Close after the last send.
func emitAll(out chan<- Event, evs []Event) {
	for _, e := range evs {
		out <- e
	}
	close(out)
}

// The closing branch returns.
func emitOrStop(out chan<- Event, evs []Event, err error) {
	if err != nil {
		close(out)
		return
	}
	for _, e := range evs {
		out <- e
	}
	close(out)
}

// The send is on the other branch.
func sendOrClose(ok bool, out chan int, v int) {
	if !ok {
		close(out)
	} else {
		out <- v
	}
}

// Reassigned between the close and the send.
func restart(v int) chan int {
	ch := make(chan int, 1)
	close(ch)
	ch = make(chan int, 1)
	ch <- v
	return ch
}

// A deferred close runs after every send of the function.
func produceDeferred(out chan int, n int) {
	defer close(out)
	for i := 0; i < n; i++ {
		out <- i
	}
}

// Another channel was closed.
func finishWork(done chan struct{}, results chan int, v int) {
	close(done)
	results <- v
}

// A closure that closes is not inline: it runs later.
func withCleanup(ch chan int, v int) {
	cleanup := func() { close(ch) }
	ch <- v
	cleanup()
}

// The closing select case returns; the other case sends.
func relay(quit <-chan struct{}, in <-chan int, out chan int) {
	for {
		select {
		case <-quit:
			close(out)
			return
		case v := <-in:
			out <- v
		}
	}
}

// panic ends the closing branch.
func mustSend(out chan int, v int, broken bool) {
	if broken {
		close(out)
		panic("broken pipe")
	}
	out <- v
}

type guardedPipe struct {
	closed bool
	out    chan int
}

// The send is guarded by the flag the close sets: it never follows the close.
func (g *guardedPipe) put(v int, last bool) {
	if last {
		close(g.out)
		g.closed = true
	}
	if !g.closed {
		g.out <- v
	}
}
