package cases

import "time"

// Helpers shared by the cases of this package. Nothing here may be reported.

type Msg struct{ Body string }

type poller struct {
	ticker *time.Ticker
}

func handle(m Msg) {}

func refresh() bool { return true }
