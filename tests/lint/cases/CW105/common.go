package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

func countUp(ch chan<- int) {
	for i := 0; ; i++ {
		ch <- i
	}
}

func produceNums(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i
	}
}

func handle(v int) int { return v * 2 }
