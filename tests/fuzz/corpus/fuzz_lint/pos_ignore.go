package cases

// A real CW101 finding suppressed by an ignore on the line above: no finding.
func suppressedAbove() int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	n := 0
	//chanwatch:ignore CW101 the producer lives as long as the process
	for v := range ch {
		n += v
	}
	return n
}

// A real CW101 finding suppressed by an ignore on the same line: no finding.
func suppressedSameLine() int {
	ch := make(chan int)
	go func() { ch <- 2 }()
	n := 0
	for v := range ch { //chanwatch:ignore CW101 drained until process exit
		n += v
	}
	return n
}

// An ignore without a reason is reported and suppresses nothing.
func noReason() int {
	ch := make(chan int)
	go func() { ch <- 3 }()
	n := 0
	//chanwatch:ignore CW101 // want CW100
	for v := range ch { // want CW101
		n += v
	}
	return n
}

// An ignore that suppresses nothing.
func unusedIgnore() int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		ch <- 4
	}()
	n := 0
	//chanwatch:ignore CW101 the channel used to be left open // want CW100
	for v := range ch {
		n += v
	}
	return n
}

// An unknown rule ID.
func unknownRule() int {
	ch := make(chan int, 1)
	//chanwatch:ignore CW999 rule from an old release // want CW100
	ch <- 5
	return <-ch
}
