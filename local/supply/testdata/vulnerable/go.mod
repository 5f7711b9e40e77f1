module example.com/vulnerable

go 1.27

require golang.org/x/text v0.3.7
