// SPDX-License-Identifier: MIT
// Command gen_big starts N goroutines blocked on channels in a few different functions and
// writes the debug=2 goroutine profile to a file: the input for bench/dump/parse_only.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/pprof"
	"time"
)

type pipeline struct{ in, out chan []byte }

func (p *pipeline) stage(depth int) {
	if depth > 0 {
		p.stage(depth - 1)
		return
	}
	for b := range p.in {
		p.out <- b
	}
}

func sender(ch chan<- int, v int) { ch <- v }

func waiter(a, b chan struct{}) {
	select {
	case <-a:
	case <-b:
	}
}

func main() {
	n := flag.Int("n", 100000, "goroutines")
	out := flag.String("o", "/tmp/big.txt", "output file")
	flag.Parse()
	block := make(chan struct{})
	for i := 0; i < *n; i++ {
		switch i % 4 {
		case 0:
			go func() { <-block }()
		case 1:
			go sender(make(chan int), i)
		case 2:
			go waiter(make(chan struct{}), make(chan struct{}))
		case 3:
			p := &pipeline{make(chan []byte), make(chan []byte)}
			go p.stage(i % 9)
		}
	}
	time.Sleep(time.Second)
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		log.Fatal(err)
	}
	f.Close()
}
