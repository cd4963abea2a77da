package cases

import "log"

// Helpers shared by the cases of this package. Nothing here may be reported.

type server struct {
	quit chan struct{}
	log  *log.Logger
}

const (
	stateRunning = iota
	stateError
	stateDone
)

func work(i int) { _ = i }
