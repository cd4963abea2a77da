package cases

import (
	"errors"
	"log"
	"sync"
	"time"
)

// if/else closes are mutually exclusive.
func closeEither(ok bool, out chan int) {
	if ok {
		out <- 1
		close(out)
	} else {
		close(out)
	}
}

// Every switch case closes once.
func closeByState(state int, out chan int) {
	switch state {
	case stateError:
		close(out)
	case stateDone:
		out <- 0
		close(out)
	default:
		close(out)
	}
}

// Every select case closes once.
func closeOnFirst(a, b <-chan int, out chan int) {
	select {
	case v := <-a:
		out <- v
		close(out)
	case <-b:
		close(out)
	}
}

// close then return inside a loop: it runs at most once.
func closeWhenFound(xs []int, found chan struct{}) {
	for _, x := range xs {
		if x == 42 {
			close(found)
			return
		}
	}
}

// close then break out of the loop.
func closeAndBreak(next func() bool, done chan struct{}) {
	for {
		if !next() {
			close(done)
			break
		}
	}
	log.Print("stopped")
}

// The branch that closes ends in panic: it does not flow on.
func mustStop(err error, quit chan struct{}) {
	if err != nil {
		close(quit)
		panic(err)
	}
	close(quit)
}

type stopper struct {
	once sync.Once
	done chan struct{}
}

// sync.Once: the closure is not inline, whatever calls Stop.
func (s *stopper) Stop() {
	s.once.Do(func() { close(s.done) })
	s.once.Do(func() { close(s.done) })
}

// Each iteration closes a different channel: the loop variable.
func closeAll(subs []chan string) {
	for _, c := range subs {
		close(c)
	}
}

// The channel is reassigned between the closes (broadcast re-arm idiom).
func rearm(rounds int) chan struct{} {
	tick := make(chan struct{})
	for i := 0; i < rounds; i++ {
		close(tick)
		tick = make(chan struct{})
	}
	close(tick)
	return tick
}

// An error return in one branch, the close on the other path only.
func finishOnce(err error, out chan error) error {
	if err != nil {
		close(out)
		return errors.New("stopped: " + err.Error())
	}
	out <- nil
	close(out)
	return nil
}

// t.Fatal after a close in a select case ends that path: the later close is on another path.
func closeThenFatal(t fataler, entered chan struct{}, release chan struct{}) {
	select {
	case <-entered:
	case <-time.After(time.Second):
		close(release)
		t.Fatal("did not start")
	}
	close(release)
}

type fataler interface{ Fatal(args ...any) }

type reconnector struct {
	mu     sync.Mutex
	connUp chan struct{}
	down   chan struct{}
}

// Each field is re-made in the loop before it is closed again (connection up/down signals).
func (c *reconnector) loop(n int, errs chan error) {
	for i := 0; i < n; i++ {
		c.mu.Lock()
		c.down = make(chan struct{})
		close(c.connUp)
		c.mu.Unlock()
		<-errs
		c.mu.Lock()
		close(c.down)
		c.connUp = make(chan struct{})
		c.mu.Unlock()
	}
}

type phaseCloser struct {
	early bool
	ready chan struct{}
	done  chan struct{}
}

// The two closes sit under tests of the same flag: one call runs exactly one of them.
func (p *phaseCloser) finish() {
	if p.early {
		close(p.ready)
	}
	log.Print("finishing")
	if !p.early {
		close(p.ready)
	}
}

func (p *phaseCloser) isDone() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// The second close asks whether the first one ran.
func (p *phaseCloser) stop(err error) {
	if err != nil {
		close(p.done)
	}
	if !p.isDone() {
		close(p.done)
	}
}

type stackFataler struct{}

func (stackFataler) FatalStack(t fataler, msg string) { t.Fatal(msg) }

var testutil stackFataler

// A helper of another package named Fatal... does not return: the second close is not reached
// after the first.
func stopOnTimeout(t fataler, stopc chan struct{}, done chan error) {
	select {
	case <-done:
	case <-time.After(time.Second):
		close(stopc)
		testutil.FatalStack(t, "timed out")
	}
	close(stopc)
}
