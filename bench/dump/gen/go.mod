module chanwatch.bench/gen

go 1.22
