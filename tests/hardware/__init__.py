"""End-to-end checks on a real token (see README.md here).

A package, so that its conftest is imported as hardware.conftest: a second top-level `conftest` module would
replace tests/conftest.py in sys.modules, which other test files import names from."""
