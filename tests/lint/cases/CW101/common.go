package cases

// Helpers shared by the cases of this package. Nothing here may be reported.

func fetch(url string) string { return url }

func handle(v int) int { return v * 2 }
