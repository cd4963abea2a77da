package cases

import "fmt"

// ready was declared but never made: the receive blocks forever.
func waitReady() {
	var ready chan struct{}
	go startServer()
	<-ready // want CW106
}

// A send on the zero value blocks forever.
func notifyDone(n int) {
	var done chan bool
	fmt.Println(n)
	done <- true // want CW106
}

// range over a nil channel never starts and never ends.
func listen() {
	var events chan Event
	for e := range events { // want CW106
		fmt.Println(e.Name)
	}
}

// A literal nil converted to a channel type.
func sendNil() {
	(chan int)(nil) <- 1 // want CW106
}

// Made on one branch only: the other path sends on nil.
func maybeBuffered(fast bool, v int) int {
	var ch chan int
	if fast {
		ch = make(chan int, 1)
	}
	ch <- v // want CW106
	return len(ch)
}
