
// The other case is signalled only from the sender's deferred recover, after a panic that
// skipped the send: the receiver takes one or the other, never abandons the sender.
func queryOrPanic(q func() int) int {
	done := make(chan bool)
	result := make(chan int)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- true
			}
		}()
		result <- q()
	}()
	select {
	case v := <-result:
		return v
	case <-done:
		return -1
	}
}
