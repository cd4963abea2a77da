package cases

import (
	"context"
	"errors"
	"os/exec"
	"time"
)

// The caller leaves on ctx.Done; nobody will ever take the result and the
// goroutine blocks on the unbuffered send forever (otel-contrib #1505 shape).
func fetchWithContext(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want CW102
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// time.After wins: the goroutine waiting in cmd.Wait leaks (cadvisor #2549 shape).
func runWithTimeout(cmd *exec.Cmd, timeout time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	errc := make(chan error)
	go func() {
		errc <- cmd.Wait() // want CW102
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(timeout):
		return errTimeout
	}
}

// An early return between the go statement and the receive.
func loadConfig(path string) (*Config, error) {
	done := make(chan error)
	go func() {
		done <- validate(path) // want CW102
	}()
	if path == "" {
		return nil, errors.New("empty path")
	}
	if err := <-done; err != nil {
		return nil, err
	}
	return &Config{Path: path}, nil
}

func square(ch chan<- int, x int) {
	ch <- x * x // want CW102
}

// The sender is a same-package function started with go f(ch).
func squareOrCancel(ctx context.Context, x int) (int, error) {
	ch := make(chan int)
	go square(ch, x)
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A timer instead of time.After, a struct result.
func queryWithDeadline(q string, d time.Duration) (string, error) {
	resc := make(chan result)
	go func() {
		resc <- slowQuery(q) // want CW102
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-resc:
		return r.body, r.err
	case <-timer.C:
		return "", errTimeout
	}
}

// The receive is skipped when another channel (shutdown) fires first.
func askWorker(shutdown <-chan struct{}, q string) (string, bool) {
	answer := make(chan string)
	go func() {
		answer <- fetch(q) // want CW102
	}()
	select {
	case a := <-answer:
		return a, true
	case <-shutdown:
		return "", false
	}
}
