# Innkeeper. `make dev` runs it locally; `make test` tests everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The toolchain every build and test uses; the go command fetches it.
export GOTOOLCHAIN := go1.27.3

VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
FUNCTIONS := $(notdir $(wildcard functions/*))
# Lambda runs arm64 (Graviton); make build ARCH=amd64 for x86 functions.
ARCH      ?= arm64
LDFLAGS   := -s -w -X innkeeper/shared/config.Version=$(VERSION)

MAILPIT   := dist/tools/mailpit

.PHONY: help dev invoke mail redrive tools test bench build lint services clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

services: ## start the local PostgreSQL and Redis if they are stopped
	@./local/services.sh

.env:
	@cp .env.example .env
	@echo "make: created .env from .env.example"

tools: $(MAILPIT) ## install the local tools (Mailpit) into dist/tools

$(MAILPIT):
	@echo "make: installing Mailpit (first time only, about a minute)"
	GOBIN=$(CURDIR)/dist/tools go install github.com/axllent/mailpit@v1.33.1

dev: services tools .env ## the whole system locally: functions as Lambda binaries, API on http://127.0.0.1:3000, demo data
	@go build -o dist/local/devstack ./local/devstack
	@./dist/local/devstack

mail: ## list the mail the running devstack's Mailpit received
	@go run ./local/devstack mail

redrive: .env ## move the events dead-letter queue back to the queue (running devstack)
	@go run ./local/devstack redrive

invoke: services .env ## run one event through a function's binary: make invoke FN=api EVENT=events/api/livez.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=<file.json>"; exit 2; }
	@go build -o dist/local/devstack ./local/devstack
	@./dist/local/devstack invoke $(FN) $(EVENT)

test: services tools lint ## every test, unit and integration (real PostgreSQL and Redis), with the race detector
	go test -race -count=1 ./...

bench: services ## benchmarks: search, booking vs the raw-pgx floor, devstack warm latency and cold start
	go test -run '^$$' -bench . -benchtime 3s -count 5 ./shared/...
	go test -run '^$$' -bench WarmRequest -benchtime 3000x ./local/devstack/
	go test -run '^$$' -bench ColdStart -benchtime 40x ./local/devstack/
	go test -run '^$$' -bench Fanout -benchtime 5x ./local/devstack/

build: ## every function as dist/<name>/bootstrap for Lambda (provided.al2023; ARCH=arm64 by default)
	@for fn in $(FUNCTIONS); do \
		echo "build $$fn ($(ARCH))"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) go build -tags lambda.norpc -trimpath \
			-ldflags "$(LDFLAGS)" -o dist/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done

lint: ## gofmt, go vet, and go.mod tidy
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	@go mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; go mod tidy -diff; exit 1; }

clean: ## remove build output
	rm -rf dist cdk.out
