// A program whose work is all in callbacks (a wasm main, a server run by goroutines): main
// waiting on a channel nobody signals keeps it alive, on purpose. Not reported. A goroutine
// doing the same is still reported.
package main

import "fmt"

func main() {
	done := make(chan struct{})
	fmt.Println("serving")
	<-done
}

func helper() {
	wait := make(chan struct{})
	go func() {
		<-wait // want CW107
	}()
}
