package cases

import "strings"

// The receiver closes after the first match while the producer may still
// send: "send on closed channel" panics in the producer goroutine.
func firstMatch(lines []string, pat string) string {
	ch := make(chan string)
	go func() {
		for _, l := range lines {
			if strings.Contains(l, pat) {
				ch <- l
			}
		}
	}()
	s := <-ch
	close(ch) // want CW105
	return s
}

// The sender is a same-package function started with go f(ch).
func consumeSome() int {
	ch := make(chan int)
	go produceNums(ch, 10)
	n := 0
	for v := range ch {
		n += v
		if v > 5 {
			break
		}
	}
	close(ch) // want CW105
	return n
}

// A goroutine body that receives and closes while a sibling goroutine sends.
func pipeline(done chan<- int) {
	jobs := make(chan int)
	go func() {
		for i := 0; i < 10; i++ {
			jobs <- i
		}
	}()
	go func() {
		for j := range jobs {
			if j < 0 {
				close(jobs) // want CW105
				return
			}
			done <- handle(j)
		}
	}()
}

// The receiver decides it has had enough and closes the producer's channel.
func readUntil(limit int) int {
	nums := make(chan int)
	go countUp(nums)
	sum := 0
	for {
		n := <-nums
		sum += n
		if sum > limit {
			close(nums) // want CW105
			return sum
		}
	}
}
