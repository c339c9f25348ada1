# totpfob — the hardware TOTP token. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STUBS := $(VENV)/mpy-stubs
# pyotp's TOTP.at() passes through local time; the tests and the demo compare against it.
export TZ := UTC
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-packages test lint typecheck pytest demo bench flash deploy clean translations

setup: $(VENV)/.ready

$(VENV)/.ready: pyproject.toml
	@echo "== setting up $(VENV) (first run downloads the tools, about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	@# MicroPython stubs go beside, not into, site-packages: they shadow CPython's own stdlib names.
	$(BIN)/python -m pip install -q --no-deps --target $(STUBS) \
		'micropython-esp32-stubs~=1.27' 'micropython-stdlib-stubs~=1.27'
	@touch $@

# Debian packages some tests use: a real X server and its clipboard tool (the screen and clipboard grabs), Tk
# (the picture those tests put on that screen), tmux (the terminal the demo and the simulator are read from,
# tests/test_terminal.py), node and npm (MicroPython's WebAssembly port, the token on 32-bit words: bench/wasm.py,
# tests/test_heap32.py; looked for as commands, node may come from elsewhere than apt), chromium (the browser
# tests/test_gui.py drives with Playwright; it is never downloaded). Installed with apt when
# missing and allowed (root, or sudo without a password: .ci/run); otherwise those tests skip and say why.
# Nothing happens when all are present.
SYSTEM_PACKAGES := xvfb xclip python3-tk tmux chromium
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs"; command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "== no apt here: without$$missing some tests skip"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "== not root: without$$missing some tests skip (sudo apt-get install$$missing)"; exit 0; fi; \
	echo "== installing$$missing"; \
	{ $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null; } || echo "== apt-get failed: without$$missing some tests skip"

lint: setup typecheck
	$(BIN)/ruff check firmware boards host_tools tests $(wildcard bench)

# The firmware is checked against the ESP32 stubs, not CPython's stdlib: it must only use what the board has.
typecheck: setup
	MYPYPATH=$(STUBS):firmware $(BIN)/mypy --config-file firmware/mypy.ini \
		--custom-typeshed-dir $(STUBS) --no-site-packages firmware
	@# The real boards' setups too, one at a time: they are all called board.py.
	@for b in $(filter-out boards/sim/board.py,$(wildcard boards/*/board.py)); do \
	  MYPYPATH=$(STUBS):firmware $(BIN)/mypy --config-file firmware/mypy.ini \
	    --custom-typeshed-dir $(STUBS) --no-site-packages $$b || exit 1; done

pytest: setup
	$(BIN)/pytest -q

test: lint pytest

demo: setup
	$(BIN)/python -m totpfob.demo

# The Hungarian catalog after messages changed in host_tools/totpfob: extract them (locale/totpfob.pot), take in the
# pending-*.po other changes left, update hu/LC_MESSAGES/totpfob.po and compile the .mo that is committed (an
# install needs no Babel). Untranslated messages are listed by `$(BIN)/python host_tools/translations.py --check`.
translations: setup
	$(BIN)/python host_tools/translations.py

# Speed and size against their baselines -> bench/results.json and README's bench section (a few minutes).
# make bench SIZE=tiny: the same figures, roughly, in well under 30 s.
bench: setup
	$(BIN)/python -m bench $(if $(filter tiny,$(SIZE)),--tiny)

# MicroPython onto a board: make flash BOARD=esp32_devkit FIRMWARE=ESP32_GENERIC-....bin [PORT=/dev/ttyUSB0]
# (without FIRMWARE it says which image to download); then the token firmware: make deploy BOARD=... [PORT=...].
# The boards: .venv/bin/totpfob boards
flash deploy: setup
	@test -n "$(BOARD)" || { echo "make $@: name the board: make $@ BOARD=... (list: $(BIN)/totpfob boards)" >&2; exit 2; }
	$(BIN)/totpfob $@ --board $(BOARD) $(if $(PORT),--port $(PORT)) $(if $(and $(filter flash,$@),$(FIRMWARE)),--firmware $(FIRMWARE))

clean:
	rm -rf $(VENV) build *.egg-info host_tools/*.egg-info .pytest_cache .ruff_cache .mypy_cache
