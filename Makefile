# MemberDesk: one-command set-up. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install translations bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/memberdesk gui sample_data

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

translations: $(STAMP)
	$(BIN)/pyside6-lupdate memberdesk/ui -ts resources/translations/memberdesk_zh_CN.ts -no-obsolete
	$(BIN)/pyside6-lrelease resources/translations/memberdesk_zh_CN.ts -qm resources/translations/memberdesk_zh_CN.qm

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
