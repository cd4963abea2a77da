package cases

import "fmt"

// An ignore that suppresses a CW107 finding on the next line: no finding.
func ignoredBlocked() {
	done := make(chan struct{})
	go fmt.Println("started")
	//chanwatch:ignore CW107 the test harness kills this goroutine
	<-done
}

// An ignore that suppresses a CW106 finding on its own line: no finding.
func ignoredNil() {
	var ready chan struct{}
	<-ready //chanwatch:ignore CW106 deliberately parks the caller forever
}

// Directive text inside a string literal is not a directive.
func directiveInString() string {
	return "//chanwatch:ignore CW101"
}

// Prose that mentions chanwatch:ignore after "// " is not a directive either:
// chanwatch:ignore CW101 is only honoured as a //chanwatch: comment with no space.
func prose() int { return handle(1) }

var global = make(chan int, 1) //chanwatch:watch label=global

type queue struct {
	c chan Job
}

// A watch on a make inside a composite literal.
func newQueue() *queue {
	return &queue{c: make(chan Job, 8)} //chanwatch:watch label=queue timeout=250ms
}

// A watch on a var declaration with make.
func varMake() int {
	var c = make(chan int, 1) //chanwatch:watch label=var-made timeout=10s
	c <- 1
	return <-c
}
