module example.com/clean

go 1.27

require golang.org/x/text v0.41.0
