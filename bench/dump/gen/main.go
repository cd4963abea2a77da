// SPDX-License-Identifier: MIT
// gen: parks N goroutines in realistic ways and writes their debug=2 goroutine dump to a file.
//
//	gen -n 1000000 -o goroutines-1m.txt
//
// runtime/pprof silently truncates debug=2 output at 64 MiB, so above -pprof-max goroutines the
// dump is taken with runtime.Stack(all) into a buffer grown until it fits (same text format).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

var (
	parked  atomic.Int64 // goroutines about to block
	never   = make(chan int)
	jobs    = make(chan int)
	results = make(chan int)
	mu      sync.Mutex
	wg      sync.WaitGroup
	nilch   chan int
)

// The blocking sites: each is its own call site in the dump.

//go:noinline
func workerIdle() {
	parked.Add(1)
	for j := range jobs { // a pool waiting on a job queue
		_ = j
	}
}

//go:noinline
func resultSend(v int) {
	parked.Add(1)
	results <- v // nobody receives: the timeout leak
}

//go:noinline
func waitEvent(done chan struct{}) {
	parked.Add(1)
	select {
	case <-done:
	case <-never:
	}
}

//go:noinline
func lockCache() {
	parked.Add(1)
	mu.Lock()
	mu.Unlock()
}

//go:noinline
func backoff() {
	parked.Add(1)
	time.Sleep(time.Hour)
}

//go:noinline
func awaitGroup() {
	parked.Add(1)
	wg.Wait()
}

//go:noinline
func watchNil() {
	parked.Add(1)
	<-nilch
}

// A request-handling chain, to give some goroutines 10-20 frames.

//go:noinline
func recurse(depth int, leaf func()) {
	if depth == 0 {
		leaf()
		return
	}
	recurse(depth-1, leaf)
}

//go:noinline
func mwAuth(leaf func(), depth int) { recurse(depth, leaf) }

//go:noinline
func mwLog(leaf func(), depth int) { mwAuth(leaf, depth) }

//go:noinline
func mwTrace(leaf func(), depth int) { mwLog(leaf, depth) }

//go:noinline
func serveRequest(leaf func(), depth int) { mwTrace(leaf, depth) }

// Spawners: distinct creators ("created by ...").

//go:noinline
func startPool(n int) {
	for i := 0; i < n; i++ {
		go workerIdle()
	}
}

//go:noinline
func startHandlers(n int) {
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			go serveRequest(func() { resultSend(1) }, 6+i%10)
		case 1:
			go serveRequest(func() { waitEvent(done) }, 8+i%8)
		case 2:
			go serveRequest(lockCache, 4)
		default:
			go resultSend(i)
		}
	}
}

//go:noinline
func startBackground(n int) {
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0, 1:
			go backoff()
		case 2:
			go awaitGroup()
		case 3:
			go watchNil()
		default:
			go waitEvent(done)
		}
	}
}

func dumpPprof() ([]byte, error) {
	var buf bytes.Buffer
	err := pprof.Lookup("goroutine").WriteTo(&buf, 2)
	return buf.Bytes(), err
}

func dumpStack(start int) []byte {
	buf := make([]byte, start)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

func main() {
	n := flag.Int("n", 100000, "goroutines to park")
	out := flag.String("o", "", "output file")
	pprofMax := flag.Int("pprof-max", 120000, "above this many goroutines use runtime.Stack instead of pprof")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -n N -o FILE")
		os.Exit(2)
	}
	mu.Lock()
	wg.Add(1)

	t0 := time.Now()
	pool, handlers := *n*30/100, *n*40/100
	bg := *n - pool - handlers
	startPool(pool)
	startHandlers(handlers)
	startBackground(bg)
	for parked.Load() < int64(*n) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // the last ones get from Add(1) to their park
	spawned := time.Since(t0)

	t1 := time.Now()
	var data []byte
	method := "pprof"
	if *n > *pprofMax {
		method = "runtime.Stack"
		data = dumpStack(max(64<<20, *n*1024)) // ~530 bytes per goroutine in practice
	} else {
		var err error
		if data, err = dumpPprof(); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if len(data) >= 64<<20 {
			fmt.Fprintln(os.Stderr, "gen: pprof output hit its 64 MiB cap; lower -pprof-max")
			os.Exit(1)
		}
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("goroutines=%d method=%s bytes=%d size_mb=%.1f spawn_s=%.2f dump_s=%.2f go=%s\n",
		runtime.NumGoroutine(), method, len(data), float64(len(data))/1e6,
		spawned.Seconds(), time.Since(t1).Seconds(), runtime.Version())
	os.Exit(0)
}
