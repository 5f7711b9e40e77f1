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
# Stripe's official API mock: the payment tests send every request to it.
STRIPEMOCK := dist/tools/stripe-mock
# The CDK command line and its LocalStack wrapper, pinned in infra/_cli/package.json.
CDK       := infra/_cli/node_modules/.bin/cdk
CDKLOCAL  := infra/_cli/node_modules/.bin/cdklocal
COMPOSE   := docker compose -f local/docker-compose.yml
STAGE     ?= staging
# The CDK's Go bindings run on Node 20, which jsii no longer supports but
# which works; this keeps its banner out of every synth.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: help web chromium dev admin-key seed invoke mail redrive tools test bench build lint services clean sbom audit actionlint smoke fuzz load synth inventory deploy rollback versions cdk-cli localstack-up localstack-deploy localstack-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

services: ## start the local PostgreSQL and Redis if they are stopped
	@./local/services.sh

.env:
	@cp .env.example .env
	@echo "make: created .env from .env.example"

tools: $(MAILPIT) $(STRIPEMOCK) ## install the local tools (Mailpit, stripe-mock) into dist/tools

$(MAILPIT):
	@echo "make: installing Mailpit (first time only, about a minute)"
	GOBIN=$(CURDIR)/dist/tools go install github.com/axllent/mailpit@v1.33.1

$(STRIPEMOCK):
	@echo "make: installing stripe-mock (first time only, a few seconds)"
	GOBIN=$(CURDIR)/dist/tools go install github.com/stripe/stripe-mock@v0.203.0

# The console (web/): npm ci when node_modules is missing or older than the
# lock file, then a Vite build into web/dist, which the devstack serves. The
# build first writes the OpenAPI document (shared/apispec/cmd/openapi) and
# generates the console's API types from it (web/src/api/schema.gen.ts), so
# a change to the contract rebuilds the console.
WEB_SRC := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f ! -name '*.gen.ts' 2>/dev/null) \
	$(wildcard shared/apispec/*.yaml shared/apispec/apispec.go shared/apispec/cmd/openapi/main.go)

web: web/dist/index.html ## build the console (web/) into web/dist: npm ci when needed, then the API types from the OpenAPI document, tsc and vite build

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	@command -v npm >/dev/null || { echo "make: npm is missing (Node.js 20.19+): the console builds with Vite"; exit 1; }
	npm ci --prefix web --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	npm run --prefix web build

chromium: ## install Debian's Chromium for the browser tests when /usr/bin/chromium is missing
	@test -x /usr/bin/chromium || { \
		command -v apt-get >/dev/null || { echo "make: /usr/bin/chromium is missing and there is no apt-get: install Chromium (Debian package chromium)"; exit 1; }; \
		echo "make: installing Debian's chromium for the browser tests"; \
		apt-get update && apt-get install -y chromium; }

dev: services tools web .env ## the whole system locally: functions as Lambda binaries, API on http://127.0.0.1:3000, demo data from local/demo/catalogue.yaml (EMPTY=1: none, as a new stage)
	@go build -o dist/local/devstack ./local/devstack
	@./dist/local/devstack $(if $(EMPTY),-empty)

# The first admin key of a stage, printed once (the secret alone on stdout:
# KEY=$$(make -s admin-key …)). Deployed stages: through the stage's migrate
# function, with your AWS credentials; STAGE=local: the devstack's database.
admin-key: ## the first admin key of a stage, shown once: make admin-key STAGE=staging|local NAME=… [FORCE=1] (refused where a live admin key exists unless FORCE=1)
	@test -n "$(NAME)" || { echo "usage: make admin-key STAGE=staging|prod|local NAME=<who holds it> [FORCE=1]"; exit 2; }
ifeq ($(STAGE),local)
	@$(MAKE) -s services .env >&2
	@go run ./local/devstack admin-key -name '$(NAME)' $(if $(FORCE),-force)
else
	@go run ./local/adminkey -stage '$(STAGE)' -name '$(NAME)' $(if $(FORCE),-force)
endif

seed: ## load a catalogue through the admin API, idempotently: ADMIN_KEY=… make seed STAGE=staging|local FILE=local/demo/catalogue.yaml [URL=…]
	@test -n "$(FILE)" || { echo "usage: ADMIN_KEY=<admin key> make seed STAGE=staging|prod|local FILE=<catalogue.yaml|.json> [URL=<API base>]"; exit 2; }
	@go run ./local/seed/cmd/seed -stage '$(STAGE)' -file '$(FILE)' $(if $(URL),-url '$(URL)')

mail: ## list the mail the running devstack's Mailpit received
	@go run ./local/devstack mail

redrive: .env ## move the events dead-letter queue back to the queue (running devstack)
	@go run ./local/devstack redrive

invoke: services .env ## run one event through a function's binary: make invoke FN=api EVENT=events/api/livez.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=<file.json>"; exit 2; }
	@go build -o dist/local/devstack ./local/devstack
	@./dist/local/devstack invoke $(FN) $(EVENT)

test: services tools web chromium lint audit actionlint ## every test, unit and integration (real PostgreSQL and Redis), with the race detector; the console's unit tests; the browser tests
	npm test --prefix web
	go test -race -count=1 $$(go list ./... | grep -v '^innkeeper/local/scan$$')
	@# The scan's own tests drive a scanner against an in-process fake API:
	@# thousands of requests that the race detector makes about six times
	@# slower, for a scanner that starts no goroutine of its own (one request
	@# at a time; each parallel subtest has its own). They run without it.
	go test -count=1 ./local/scan

smoke: ## smoke-test a stage: make smoke URL=… [WS_URL=…] [MAILPIT_URL=…] [STAFF_KEY=…] [METRICS_TOKEN=…] [GUEST_EMAIL=success@simulator.amazonses.com] [NO_BOOKING=1: production, a live Stripe account] (default: the running devstack)
	@go run ./local/devstack smoke $(if $(NO_BOOKING),-no-booking) $(if $(URL),-url '$(URL)') $(if $(WS_URL),-ws-url '$(WS_URL)') $(if $(MAILPIT_URL),-mailpit '$(MAILPIT_URL)') $(if $(STAFF_KEY),-staff-key '$(STAFF_KEY)') $(if $(METRICS_TOKEN),-metrics-token '$(METRICS_TOKEN)') $(if $(GUEST_EMAIL),-guest-email '$(GUEST_EMAIL)')

load: ## load-test the running devstack (make dev, with RATE_LIMITS=off in .env): 30 s of searches and bookings 20:1 at 50→100→200 req/s, then 500 clients racing for 10 rooms; checks PostgreSQL for overbooking
	@go run ./local/load/cmd/load -duration $(or $(DURATION),30s) -flash

fuzz: services ## every Go fuzz target for FUZZTIME each (default 20s): make fuzz FUZZTIME=1m
	@./local/fuzz.sh $(FUZZTIME)

sbom: ## after make build: a CycloneDX SBOM beside each function, dist/<name>/sbom.cdx.json
	@./local/supply/sbom.sh "$(VERSION)"

audit: ## govulncheck: fail on any reachable known vulnerability (offline snapshot; VULNDB=default for vuln.go.dev)
	@./local/supply/audit.sh

actionlint: ## lint the GitHub Actions workflows
	@./local/supply/actionlint.sh

bench: services ## benchmarks: search, booking vs the raw-pgx floor, devstack warm latency and cold start
	go test -run '^$$' -bench . -benchtime 3s -count 5 ./shared/...
	go test -run '^$$' -bench WarmRequest -benchtime 3000x ./local/devstack/
	go test -run '^$$' -bench ColdStart -benchtime 300x ./local/devstack/
	go test -run '^$$' -bench Fanout -benchtime 5x ./local/devstack/

build: ## every function as dist/<name>/bootstrap for Lambda (provided.al2023; ARCH=arm64 by default)
	@for fn in $(FUNCTIONS); do \
		echo "build $$fn ($(ARCH))"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) go build -tags lambda.norpc -trimpath \
			-ldflags "$(LDFLAGS)" -o dist/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done

synth: build web ## CloudFormation templates of every stage into cdk.out, offline (no AWS account needed); prod's includes the console from web/dist
	@rm -rf cdk.out
	CDK_OUTDIR=cdk.out go run ./infra
	@ls cdk.out/*.template.json

inventory: ## rewrite shared/pricing/inventory/<stage>.json (the fixed-cost inventory) from the synthesized stacks
	go generate ./shared/pricing

cdk-cli: $(CDK)
$(CDK): infra/_cli/package.json
	@command -v npm >/dev/null || { echo "make: npm is missing (Node.js 20+): the CDK command line is an npm package"; exit 1; }
	npm ci --prefix infra/_cli --no-audit --no-fund
	@touch $@

deploy: build web cdk-cli ## deploy a stage to the AWS account of your credentials: make deploy STAGE=staging (the release is git describe, or VERSION=; more context with CDK_ARGS="-c key=value")
	$(CDK) deploy innkeeper-$(STAGE) innkeeper-$(STAGE)-cost -c stage=$(STAGE) -c version=$(VERSION) --require-approval never --outputs-file dist/outputs-$(STAGE).json $(CDK_ARGS)

versions: ## the releases each function of a stage can be pointed at: make versions STAGE=prod
	go run ./local/release versions -stage $(STAGE)

rollback: ## point every function's live alias back to a release: make rollback STAGE=prod VERSION=v1.2.2
	@test -n "$(VERSION)" || { echo "usage: make rollback STAGE=staging|prod VERSION=<release, see make versions>"; exit 2; }
	go run ./local/release rollback -stage $(STAGE) -version $(VERSION)

localstack-up: ## start LocalStack, PostgreSQL, Redis and Mailpit with docker compose (needs Docker and LOCALSTACK_AUTH_TOKEN)
	@command -v docker >/dev/null || { echo "make: Docker is missing; make dev runs everything without it"; exit 1; }
	@test -n "$$LOCALSTACK_AUTH_TOKEN" || { echo "make: set LOCALSTACK_AUTH_TOKEN (LocalStack requires an auth token since March 2026)"; exit 1; }
	$(COMPOSE) up -d --wait

localstack-deploy: build cdk-cli ## deploy the localstack stage into the running LocalStack
	AWS_ENDPOINT_URL=http://localhost:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-1 \
		CDK_DEFAULT_ACCOUNT=000000000000 CDK_DEFAULT_REGION=eu-west-1 $(CDKLOCAL) bootstrap aws://000000000000/eu-west-1 -c stage=localstack
	AWS_ENDPOINT_URL=http://localhost:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-1 \
		CDK_DEFAULT_ACCOUNT=000000000000 CDK_DEFAULT_REGION=eu-west-1 $(CDKLOCAL) deploy innkeeper-localstack -c stage=localstack \
		-c version=$(VERSION) --require-approval never --outputs-file dist/outputs-localstack.json
	@echo "API: $$(grep -o '"ApiUrl[^,}]*' dist/outputs-localstack.json)"

localstack-down: ## stop the LocalStack compose stack and delete its volumes
	$(COMPOSE) down -v

lint: ## gofmt, go vet, and go.mod tidy
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	@go mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; go mod tidy -diff; exit 1; }

clean: ## remove build output
	rm -rf $(filter-out dist/tools,$(wildcard dist/*)) cdk.out infra/_cli/node_modules
