module chanwatch.example/leaky

go 1.22
