# Conveniences for those with make; ./dev is the entry point.
.PHONY: setup demo test lint bench
setup: ; ./dev setup
demo: ; ./dev demo
test: ; ./dev test
lint: ; ./dev lint
bench: ; ./dev bench
