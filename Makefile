# Tillit: `make demo` serves the demo municipality, `make test` runs every test.
# Both set up .venv first; nothing else needs to be installed but Python 3.11+.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint serve clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tillit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)

demo: install
	$(BIN)/tillit demo

serve: install
	$(BIN)/tillit serve

lint: install
	$(BIN)/lint-imports

test: install lint
	$(BIN)/python -m pytest

# Refresh the Swedish catalogue from code and templates (needs GNU gettext), then compile it
# with polib; commit both django.po and django.mo, so no other machine needs gettext.
messages: install
	TILLIT_DATA_DIR=$${TMPDIR:-/tmp}/tillit-messages $(BIN)/python manage.py makemessages -l sv \
		--ignore=.venv --ignore=tests --ignore=bench --ignore=var
	$(BIN)/python tillit/locale/compile.py

clean:
	rm -rf $(VENV) var .pytest_cache
