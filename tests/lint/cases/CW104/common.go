package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

type Event struct {
	Name string
}

type summary struct {
	count int
}

type bus struct {
	events  chan Event
	stopped bool
}
