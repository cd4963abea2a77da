package cases

import (
	"fmt"
	"time"
)

// Before Go 1.23 every iteration allocates a timer that lives for a full
// minute after the select has moved on: a steady leak under load.
func consume(msgs <-chan Msg) {
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(time.Minute):
			return
		}
	}
}

// The same in a range loop with an idle timeout.
func forwardAll(in <-chan Msg, out chan<- Msg) {
	for m := range in {
		select {
		case out <- m:
		case <-time.After(5 * time.Second):
			fmt.Println("dropped", m.Body)
		}
	}
}

// The ticker is never stopped: before Go 1.23 it is never collected.
func pollUntilDone() {
	t := time.NewTicker(time.Second)
	for range t.C {
		if !refresh() {
			return
		}
	}
}

// time.Tick outside main/init: the ticker cannot be stopped.
func watchConfig(stop <-chan struct{}) {
	for {
		select {
		case <-time.Tick(10 * time.Second):
			refresh()
		case <-stop:
			return
		}
	}
}

// A goroutine that polls with an unstopped ticker.
func startPolling(stop <-chan struct{}) {
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		for {
			select {
			case <-t.C:
				refresh()
			case <-stop:
				return
			}
		}
	}()
}
