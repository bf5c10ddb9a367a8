module kmbench

go 1.17

require karmem.org/golang v0.0.0

replace karmem.org/golang => ./runtime
