// SPDX-License-Identifier: MIT
// The service's handlers; every leak is marked with a `LEAK:` comment on its blocking line.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

type service struct {
	ctx  context.Context
	jobs chan job // fed by handlers, drained by the worker pool (healthy)
}

type job struct {
	sku  int
	done chan int // buffered(1): the worker never blocks on it
}

func newService(ctx context.Context) *service {
	s := &service{ctx: ctx, jobs: make(chan job)}
	for i := 0; i < 4; i++ {
		go s.worker(i)
	}
	go s.refreshRates(250 * time.Millisecond)
	return s
}

func (s *service) routes(mux *http.ServeMux) {
	mux.HandleFunc("/price", s.handlePrice)
	mux.HandleFunc("/user", s.handleUser)
	mux.HandleFunc("/search", s.handleSearch)
	mux.HandleFunc("/audit", s.handleAudit)
	mux.HandleFunc("/session", s.handleSession)
}

// handlePrice asks the pool for a price, but gives up on a slow inventory lookup.
func (s *service) handlePrice(w http.ResponseWriter, r *http.Request) {
	sku, _ := strconv.Atoi(r.URL.Query().Get("sku"))
	j := job{sku: sku, done: make(chan int, 1)}
	s.jobs <- j
	price := <-j.done

	stock, err := s.stockWithTimeout(r.Context(), sku, 20*time.Millisecond)
	if err != nil {
		fmt.Fprintf(w, "price=%d stock=unknown\n", price)
		return
	}
	fmt.Fprintf(w, "price=%d stock=%d\n", price, stock)
}

// stockWithTimeout is the classic timeout leak: the result channel is unbuffered, so once the
// caller has returned on time.After nobody will ever receive, and the lookup blocks on its send.
func (s *service) stockWithTimeout(ctx context.Context, sku int, d time.Duration) (int, error) {
	result := make(chan int)
	go func() {
		n := slowInventoryLookup(sku)
		result <- n // LEAK: timeout
	}()
	select {
	case n := <-result:
		return n, nil
	case <-time.After(d):
		return 0, errors.New("inventory timeout")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func slowInventoryLookup(sku int) int {
	time.Sleep(50 * time.Millisecond)
	return sku % 17
}

// handleUser validates the id in the background, but returns early when the profile fetch
// fails, so nobody receives from errc and the validator blocks on its send.
func (s *service) handleUser(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	errc := make(chan error)
	go func() {
		errc <- validateID(id) // LEAK: early-return
	}()
	profile, err := fetchProfile(id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := <-errc; err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, profile)
}

func validateID(id string) error {
	if _, err := strconv.Atoi(id); err != nil {
		return fmt.Errorf("bad id %q", id)
	}
	return nil
}

func fetchProfile(id string) (string, error) {
	return "", errors.New("profile store unavailable") // the store is always down in this demo
}

// handleSearch fans out to every replica and takes the first answer; the unbuffered results
// channel leaves every slower replica blocked on its send.
func (s *service) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	replicas := []time.Duration{1 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond}
	results := make(chan string)
	for i, delay := range replicas {
		go func(i int, delay time.Duration) {
			time.Sleep(delay)
			results <- fmt.Sprintf("replica %d: 3 hits for %q", i, q) // LEAK: first-wins
		}(i, delay)
	}
	fmt.Fprintln(w, <-results)
}

// handleAudit opens an audit stream for the request; the consumer ranges over a channel that
// the handler never closes, so every consumer waits for ever after the last event.
func (s *service) handleAudit(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	events := make(chan string)
	go auditWriter(events)
	for i := 0; i < n; i++ {
		events <- fmt.Sprintf("%s %s #%d", r.Method, r.URL.Path, i)
	}
	fmt.Fprintf(w, "audited %d events\n", n) // missing: close(events)
}

func auditWriter(events chan string) {
	count := 0
	for e := range events { // LEAK: range-never-closed
		count += len(e)
	}
}

// session.done is made only by newSession; handleSession builds the struct literally, so
// the watcher receives from a nil channel and can never be woken.
type session struct {
	id   int
	done chan struct{}
}

func newSession(id int) *session { return &session{id: id, done: make(chan struct{})} }

var _ = newSession // the constructor the handler should have used

func (s *service) handleSession(w http.ResponseWriter, r *http.Request) {
	sess := &session{id: int(time.Now().UnixNano() % 1000)}
	go sess.watch()
	fmt.Fprintf(w, "session %d\n", sess.id)
}

func (sess *session) watch() {
	<-sess.done // LEAK: nil-channel
}

// worker is the healthy pool: idle on s.jobs between requests, which handlePrice feeds on
// every call. Same shape as auditWriter, but its channel is in use and the count stays at 4.
func (s *service) worker(id int) {
	for j := range s.jobs { // healthy: pool idle on a used channel
		j.done <- 100 + j.sku*3
	}
}

// refreshRates is a healthy ticker loop.
func (s *service) refreshRates(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	rate := 1.0
	for {
		select { // healthy: ticker loop
		case <-s.ctx.Done():
			return
		case <-t.C:
			rate *= 1.0001
		}
	}
}
