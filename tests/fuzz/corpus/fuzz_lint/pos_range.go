package cases

import "fmt"

// The producer forgets close: the range never ends and the producer goroutine
// plus the caller block forever once the input is exhausted.
func sumAll(nums []int) int {
	ch := make(chan int)
	go func() {
		for _, n := range nums {
			ch <- n
		}
	}()
	total := 0
	for v := range ch { // want CW101
		total += v
	}
	return total
}

type batcher struct {
	items chan string
}

func newBatcher() *batcher { return &batcher{items: make(chan string, 16)} }

func (b *batcher) Add(s string) { b.items <- s }

// Nothing in the package ever closes b.items: run never returns and flush is never called.
func (b *batcher) run(flush func([]string)) {
	var buf []string
	for s := range b.items { // want CW101
		buf = append(buf, s)
		if len(buf) == 100 {
			flush(buf)
			buf = nil
		}
	}
	flush(buf)
}

func generate(n int) <-chan int {
	out := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			out <- i
		}
	}()
	return out
}

// The generator never closes what it returns.
func consumeGenerated() int {
	s := 0
	for v := range generate(10) { // want CW101
		s += v
	}
	return s
}

func consumeGeneratedVar() []int {
	nums := generate(5)
	var out []int
	for v := range nums { // want CW101
		out = append(out, handle(v))
	}
	return out
}

func produce(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i
	}
}

// The helper the channel is passed to sends but does not close.
func collect(n int) []int {
	ch := make(chan int)
	go produce(ch, n)
	var out []int
	for v := range ch { // want CW101
		out = append(out, v)
	}
	return out
}

// The goroutine closes done, not events.
func watchEvents(events []string) {
	ch := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, e := range events {
			ch <- e
		}
	}()
	for e := range ch { // want CW101
		fmt.Println(e)
	}
	<-done
}
