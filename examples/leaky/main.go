// SPDX-License-Identifier: MIT
// leaky: a small "pricing" service with planted goroutine leaks, for the chanwatch demo.
//
// It serves its API and net/http/pprof on 127.0.0.1, prints "listening on 127.0.0.1:PORT" once
// it accepts connections, then calls its own endpoints at start-up and on every tick. Some
// handlers leak a goroutine per call (see README.md), so the leak counts grow with time while
// the healthy background goroutines stay constant.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 picks a free one)")
	interval := flag.Duration("interval", time.Second, "how often the built-in client calls the API")
	flag.Parse()

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatalf("leaky: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	svc := newService(ctx)
	svc.routes(http.DefaultServeMux) // pprof registered itself on the default mux
	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	fmt.Printf("listening on %s\n", ln.Addr())

	go drive(ctx, "http://"+ln.Addr().String(), *interval)
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
}

// drive is the built-in client: a burst of calls at start-up, then one round per tick.
func drive(ctx context.Context, base string, interval time.Duration) {
	paths := []string{"/price?sku=42", "/user?id=7", "/search?q=socks", "/audit?n=3", "/session"}
	round := func() {
		for _, p := range paths {
			resp, err := http.Get(base + p)
			if err != nil {
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	for i := 0; i < 3; i++ {
		round()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			round()
		}
	}
}
