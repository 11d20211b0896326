# notebuilder: `make pdf` builds everything printable, `make test` runs the tests.
# Each target prepares its own .venv (and the Debian packages) through scripts/setup.sh.
NOTEBUILDER := .venv/bin/notebuilder
ARGS ?=

.PHONY: pdf epub cards all combined check test bench bench-syllabus clean setup setup-test

pdf: setup
	$(NOTEBUILDER) build --format pdf $(ARGS)

epub: setup
	$(NOTEBUILDER) build --format epub $(ARGS)

cards: setup
	$(NOTEBUILDER) build --format anki $(ARGS)

all: setup
	$(NOTEBUILDER) build --format all --combined $(ARGS)

combined: setup
	$(NOTEBUILDER) build --format all --combined $(ARGS)

check: setup
	$(NOTEBUILDER) check $(ARGS)

test: setup-test
	.venv/bin/python -m pytest $(ARGS)

bench: setup-test
	.venv/bin/python bench/run.py

bench-syllabus: setup-test
	.venv/bin/python bench/run.py --syllabus 200

clean:
	rm -rf build

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test
