package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

type Job struct{ ID int }

func handle(v int) int { return v * 2 }
