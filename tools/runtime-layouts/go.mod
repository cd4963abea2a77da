module chanwatch.tools/runtime-layouts

go 1.22
