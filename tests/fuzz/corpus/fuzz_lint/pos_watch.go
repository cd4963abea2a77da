package cases

// A watch directive on the make line: no finding.
func watched(jobs []Job) int {
	queue := make(chan Job, len(jobs)) //chanwatch:watch label=jobs timeout=30s
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	n := 0
	for j := range queue {
		n += handle(j.ID)
	}
	return n
}

// A watch directive with a compound duration and one without a timeout: no finding.
func watchedTwo() (int, int) {
	a := make(chan int, 1) //chanwatch:watch label=a-side timeout=1m30s
	b := make(chan int, 1) //chanwatch:watch label=b-side
	a <- 1
	b <- 2
	return <-a, <-b
}

// A watch directive on the line above the make is misplaced.
func watchAbove() int {
	//chanwatch:watch label=results timeout=5s // want CW100
	results := make(chan int, 1)
	results <- 1
	return <-results
}

// A watch directive without a label.
func watchNoLabel() int {
	c := make(chan int, 1) //chanwatch:watch timeout=1s // want CW100
	c <- 1
	return <-c
}

// A watch directive with a timeout that is not a Go duration.
func watchBadTimeout() int {
	c := make(chan int, 1) //chanwatch:watch label=slow timeout=soon // want CW100
	c <- 1
	return <-c
}
