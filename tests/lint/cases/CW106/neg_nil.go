package cases

import "time"

// A nil channel in a select disables its case: the merge idiom.
func merge(a, b <-chan int, out chan<- int) {
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			out <- v
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out <- v
		}
	}
	close(out)
}

// An optional timeout: nil (never fires) unless d > 0.
func recvWithOptionalTimeout(ch <-chan int, d time.Duration) (int, bool) {
	var timeout <-chan time.Time
	if d > 0 {
		timeout = time.After(d)
	}
	select {
	case v := <-ch:
		return v, true
	case <-timeout:
		return 0, false
	}
}

// Assigned before use.
func assignedLater(v int) int {
	var ch chan int
	ch = make(chan int, 1)
	ch <- v
	return <-ch
}

// Compared to nil: the author handles the nil case.
func guarded(fast bool, v int) int {
	var ch chan int
	if fast {
		ch = make(chan int, 1)
	}
	if ch != nil {
		ch <- v
		return <-ch
	}
	return v
}

// Address taken: someone else may assign it.
func viaPointer(v int) int {
	var ch chan int
	initChan(&ch)
	ch <- v
	return <-ch
}

// Assigned inside a closure.
func viaClosure(v int) int {
	var ch chan int
	setup := func() { ch = make(chan int, 1) }
	setup()
	ch <- v
	return <-ch
}

// Assigned on both branches.
func bothBranches(big bool, v int) int {
	var ch chan int
	if big {
		ch = make(chan int, 8)
	} else {
		ch = make(chan int, 1)
	}
	ch <- handle(v)
	return <-ch
}

// A var declaration with an initializer is not nil.
func withInit(v int) int {
	var ch chan int = make(chan int, 1)
	ch <- v
	return <-ch
}

// Made under one test of timeout, received under the opposite test of the same value: the
// nil path never reaches the receive.
func dialWithTimeout(timeout int, dial func() error) error {
	var errc chan error
	if timeout != 0 {
		errc = make(chan error, 1)
		errc <- dial()
	}
	if timeout == 0 {
		return dial()
	} else {
		return <-errc
	}
}
