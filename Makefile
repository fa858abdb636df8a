# The two commands of the README: `make run` starts rehearse, `make test` runs every test.
# Both install what is missing first (scripts/setup.sh), and only what is missing.

.PHONY: run test setup

setup:
	@scripts/setup.sh

run: setup
	cargo run --release --quiet -- $(ARGS)

test: setup
	cargo test --release
