module chanwatch.tools/runtime-layouts/probe

go 1.22
