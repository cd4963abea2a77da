// SPDX-License-Identifier: MIT
// A tiny program built with each Go toolchain so its DWARF can be read for runtime layouts.
package main

import "os"

func main() {
	c := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		c <- len(os.Args)
		close(done)
	}()
	select {
	case v := <-c:
		os.Exit(v - len(os.Args))
	case <-done:
	}
}
