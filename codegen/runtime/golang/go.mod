module karmem.org/golang

go 1.17
