# The two commands that matter: `make dev` (the whole local cloud) and `make test`.
SHELL := /bin/bash
export METADATA_SERVER_DETECTION := none
MOCHA := node_modules/.bin/mocha
UNIT := 'dist/test/unit/**/*.test.js' 'dist/test/infra/**/*.test.js' 'dist/test/conformance/**/*.test.js'
CLOUD := 'dist/test/emulator/**/*.test.js' 'dist/test/e2e/**/*.test.js'

.PHONY: all install build package dev alone test test-unit test-cloud bench soak lint format check-format clean

all: build

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

install: node_modules

build: node_modules
	node_modules/.bin/tsc -p tsconfig.json
	@node dist/scripts/pruneDist.js

## The whole local cloud in the foreground (Firestore emulator, local services, every function). Ctrl-C stops it.
dev: build
	node dist/local/dev.js

## The command that runs one function alone under the Functions Framework with make dev's environment: make alone FUNCTION=tagStats
alone: build
	@node dist/scripts/functionAlone.js $(FUNCTION)

## Every suite in one mocha run inside a throwaway local cloud on free ports (so one summary line, and a
## running `make dev` is left alone): unit, infra and conformance tests, then emulator and end-to-end tests.
test: build check-format lint
	node dist/local/withCloud.js $(MOCHA) $(UNIT) $(CLOUD)

test-unit: build
	$(MOCHA) $(UNIT)

test-cloud: build
	node dist/local/withCloud.js $(MOCHA) $(CLOUD)

## One deployable folder per function under build/functions/ (Terraform zips each): see infra/README.md.
package: build
	node dist/scripts/packageFunctions.js

## Benchmarks print figures and ratios; they never assert. BENCH_RUNS, BENCH_SECONDS, BENCH_ROUNDS, BENCH_ONLY,
## BENCH_TAGS tune them.
bench: build
	node dist/bench/coldStart.js
	node dist/bench/throughput.js
	node dist/bench/tagCounter.js
	node dist/bench/workflows.js
	node dist/bench/oversize.js
	node dist/local/withCloud.js node dist/bench/forms.js
	node dist/local/withCloud.js node dist/bench/groupContention.js
	node dist/bench/frontDoor.js

## Slow by design, so not in `make test`: exactly-once under faults and abandoned requests for
## SOAK_SECONDS (default 120) against a throwaway local cloud; then System E's 1,000 responses
## (FORMS_SOAK_RESPONSES) through faults, each delivered exactly once; then System C's tasks
## against the nodes' real state under random node faults and late requests, for SOAK_SECONDS.
soak: build
	node dist/local/withCloud.js node dist/bench/soak.js
	node dist/local/withCloud.js node dist/bench/formsSoak.js
	node dist/local/withCloud.js node dist/bench/groupsSoak.js

lint: node_modules
	node_modules/.bin/eslint .

format: node_modules
	node_modules/.bin/prettier --write .

check-format: node_modules
	node_modules/.bin/prettier --check --log-level warn .
	terraform fmt -check -recursive infra
	terraform fmt -check -recursive test/infra/fixtures

clean:
	rm -rf dist build .local .build-*
