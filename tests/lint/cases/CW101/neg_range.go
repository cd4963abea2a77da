package cases

import (
	"os"
	"os/signal"
	"sync"
)

// The producer closes with defer: the range ends.
func sumAllClosed(nums []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, n := range nums {
			ch <- n
		}
	}()
	total := 0
	for v := range ch {
		total += v
	}
	return total
}

func fill(ch chan<- string, urls []string) {
	defer close(ch)
	for _, u := range urls {
		ch <- fetch(u)
	}
}

// The same-package helper the channel is passed to closes its parameter.
func fetchAll(urls []string) []string {
	ch := make(chan string)
	go fill(ch, urls)
	var out []string
	for s := range ch {
		out = append(out, s)
	}
	return out
}

// The channel escapes to a function outside the package: signal.Notify keeps it.
func waitSignals(stop func() bool) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	for range sig {
		if stop() {
			return
		}
	}
}

// Passed to an unknown call (a function value): we cannot see what it does.
func runWith(start func(chan<- int)) int {
	ch := make(chan int)
	go start(ch)
	n := 0
	for v := range ch {
		n += v
	}
	return n
}

type pool struct {
	jobs chan int
	wg   sync.WaitGroup
}

func (p *pool) worker() {
	defer p.wg.Done()
	for j := range p.jobs {
		_ = handle(j)
	}
}

// The field is closed elsewhere in the package.
func (p *pool) Close() {
	close(p.jobs)
	p.wg.Wait()
}

func countdown(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := n; i > 0; i-- {
			out <- i
		}
	}()
	return out
}

// The same-package generator closes what it returns.
func sumCountdown() int {
	s := 0
	for v := range countdown(3) {
		s += v
	}
	return s
}

// A parameter: its maker is not visible here.
func drain(ch <-chan int) int {
	n := 0
	for range ch {
		n++
	}
	return n
}

// Results are closed by a closer goroutine after wg.Wait.
func fetchParallel(urls []string) []string {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			results <- fetch(u)
		}(u)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

// The channel is sent on another channel: it escapes.
func register(reg chan<- chan int) int {
	ch := make(chan int)
	reg <- ch
	n := 0
	for v := range ch {
		n += v
	}
	return n
}

// Pipe.Out is exported: code outside the package may close it.
type Pipe struct {
	Out chan int
}

func (p *Pipe) Sum() int {
	n := 0
	for v := range p.Out {
		n += v
	}
	return n
}

type queues struct {
	ready chan string
}

func newQueues() *queues { return &queues{ready: make(chan string, 4)} }

func (q *queues) Put(s string) { q.ready <- s }

// The loop over the field ends by break when its own queue arrives: no close is awaited.
func (q *queues) waitFor(name string) {
	for s := range q.ready {
		if s == name {
			break
		}
		q.ready <- s
	}
}
