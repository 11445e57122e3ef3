module naive

go 1.19
