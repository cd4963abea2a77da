package cases

import (
	"context"
	"os"
	"os/signal"
)

// select {} at the end of main is the accepted "run forever" idiom.
func main() {
	go serve()
	select {}
}

// select {} in a plain function (called from main).
func runForever() {
	go serve()
	select {}
}

// A closure closes the channel.
func waitWork() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve()
	}()
	<-done
}

// The channel escapes to a function outside the package.
func waitInterrupt() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
}

// Passed to a same-package function that closes it.
func waitHelper() {
	done := make(chan struct{})
	go closeWhenDone(done)
	<-done
}

// Another case can fire: not blocked by construction.
func waitOrCancel(ctx context.Context) error {
	never := make(chan struct{})
	select {
	case <-never:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A closure that sends, handed to a callback registry.
func viaCallback(register func(func(int))) int {
	ch := make(chan int, 1)
	register(func(v int) { ch <- handle(v) })
	return <-ch
}

// The receive comes after a send of the same function on a buffered channel.
func selfBuffered() int {
	ch := make(chan int, 1)
	ch <- 1
	return <-ch
}
