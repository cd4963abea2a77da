package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

func serve() {}

func cleanup() {}

func handle(v int) int { return v * 2 }

func closeWhenDone(done chan struct{}) {
	defer close(done)
	serve()
}
