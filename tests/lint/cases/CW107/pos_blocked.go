package cases

import (
	"fmt"
	"net/http"
)

// select {} in a goroutine literal: it can never return.
func startBackground() {
	go func() {
		go serve()
		select {} // want CW107
	}()
}

// The author forgot to pass done to the worker: nothing ever closes it.
func waitShutdown() {
	done := make(chan struct{})
	go cleanup()
	<-done // want CW107
}

// A select whose only case receives from a channel nothing sends on.
func awaitResult() int {
	results := make(chan int)
	go serve()
	select { // want CW107
	case v := <-results:
		return v
	}
}

// The stop channel is never closed: the goroutine waits forever.
func startTicker() {
	stop := make(chan bool)
	go func() {
		<-stop // want CW107
		cleanup()
	}()
	fmt.Println("started")
}

// An HTTP handler goroutine that parks itself forever.
func handler(w http.ResponseWriter, r *http.Request) {
	go func() {
		fmt.Println(r.URL.Path)
		select {} // want CW107
	}()
	w.WriteHeader(http.StatusAccepted)
}
