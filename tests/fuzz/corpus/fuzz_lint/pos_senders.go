package cases

// First answer wins: the two slower mirrors block forever on the unbuffered send.
func fastestMirror(mirrors [3]string) string {
	ch := make(chan string) // want CW108
	go func() { ch <- fetch(mirrors[0]) }()
	go func() { ch <- fetch(mirrors[1]) }()
	go func() { ch <- fetch(mirrors[2]) }()
	return <-ch
}

// Capacity 1 absorbs one of the two losers, not both.
func fastestReplica(a, b, c string) string {
	ch := make(chan string, 1) // want CW108
	go func() { ch <- fetch(a) }()
	go func() { ch <- fetch(b) }()
	go func() { ch <- fetch(c) }()
	return <-ch
}

// The error return after the first receive leaves the second sender blocked.
func loadBoth() (string, string, error) {
	ch := make(chan result) // want CW108
	go func() { ch <- load("a") }()
	go func() { ch <- load("b") }()
	r1 := <-ch
	if r1.err != nil {
		return "", "", r1.err
	}
	r2 := <-ch
	return r1.val, r2.val, r2.err
}

// Loop form: the first error returns and the remaining checkers block forever
// (eigenda #1535 shape).
func checkAll(urls []string) error {
	errc := make(chan error) // want CW108
	for _, u := range urls {
		go func(u string) { errc <- check(u) }(u)
	}
	for range urls {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Loop form with break: the first hit ends the receiving loop.
func findAny(paths []string) string {
	found := make(chan string) // want CW108
	for _, p := range paths {
		go func(p string) { found <- find(p) }(p)
	}
	res := ""
	for i := 0; i < len(paths); i++ {
		if f := <-found; f != "" {
			res = f
			break
		}
	}
	return res
}
