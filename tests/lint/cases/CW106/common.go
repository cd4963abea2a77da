package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

type Event struct{ Name string }

func startServer() {}

func initChan(p *chan int) { *p = make(chan int, 1) }

func handle(v int) int { return v * 2 }
