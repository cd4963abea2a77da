// SPDX-License-Identifier: MIT
// tracework: channel workloads for measuring what `chanwatch trace` costs a running program.
//
//	work -w fast|pool|pingpong [-n OPS] [-rtrace FILE]
//
//	fast      buffered channel operations that never block (send 512, receive 512, repeat);
//	          an op is one send or one receive
//	pool      generator -> 4 workers (unbuffered jobs channel, ~1µs of hashing per job) ->
//	          buffered results -> collector; an op is one job through the whole pipeline
//	pingpong  two goroutines bouncing a value over two unbuffered channels with GOMAXPROCS=1,
//	          the tracer's worst case; an op is one round trip, in which each goroutine parks
//	          once and is woken once (2 park+wake pairs)
//
// -rtrace FILE runs the timed part under Go's runtime/trace (trace.Start), for comparison.
// Prints "<workload> ns/op <float> ops <n> [parkwakes/op <k>]" on stdout; only the workload
// itself is timed (after a short warm-up), not start-up or probe attachment.
package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sink uint64

func fast(n int) {
	ch := make(chan int, 512)
	s := 0
	for done := 0; done < n; done += 1024 {
		for i := 0; i < 512; i++ {
			ch <- i
		}
		for i := 0; i < 512; i++ {
			s += <-ch
		}
	}
	sink += uint64(s)
}

func pool(n int) {
	jobs := make(chan []byte)
	results := make(chan uint64, 16)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				h := fnv.New64a()
				for r := 0; r < 4; r++ {
					h.Write(b)
				}
				results <- h.Sum64()
			}
		}()
	}
	go func() {
		buf := make([]byte, 256)
		for i := 0; i < n; i++ {
			buf[i%len(buf)]++
			jobs <- buf
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var s uint64
	for r := range results {
		s += r
	}
	sink += s
}

func pingpong(n int) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	<-pong
	sink += uint64(v)
}

func main() {
	w := flag.String("w", "", "workload: fast, pool or pingpong")
	n := flag.Int("n", 0, "operations (0: the workload's default)")
	rtrace := flag.String("rtrace", "", "run the timed part under runtime/trace, writing FILE")
	flag.Parse()

	var run func(int)
	var def, parkwakes int
	switch *w {
	case "fast":
		run, def, parkwakes = fast, 40_000_000, 0
	case "pool":
		run, def, parkwakes = pool, 300_000, 0
	case "pingpong":
		run, def, parkwakes = pingpong, 400_000, 2
	default:
		fmt.Fprintln(os.Stderr, "usage: work -w fast|pool|pingpong [-n OPS] [-rtrace FILE]")
		os.Exit(2)
	}
	if *n <= 0 {
		*n = def
	}
	run(*n / 20) // warm-up: stacks grown, channels' code paths hot

	var f *os.File
	if *rtrace != "" {
		var err error
		if f, err = os.Create(*rtrace); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	start := time.Now()
	run(*n)
	el := time.Since(start)
	if f != nil {
		trace.Stop()
		f.Close()
	}
	fmt.Printf("%s ns/op %.2f ops %d", *w, float64(el.Nanoseconds())/float64(*n), *n)
	if parkwakes > 0 {
		fmt.Printf(" parkwakes/op %d", parkwakes)
	}
	fmt.Println()
}
