module chanwatch.bench/tracework

go 1.22
