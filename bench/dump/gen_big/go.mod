module example.com/genbig

go 1.22
