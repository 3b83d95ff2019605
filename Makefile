# openiep: `make run` serves the demo district on embedded SQLite; `make test` runs every test.

.PHONY: run test build bench clean

run:
	go run ./cmd/openiep serve --demo

test:
	bash scripts/test.sh

build:
	go build -o bin/openiep ./cmd/openiep

bench:
	go test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin .test-output
