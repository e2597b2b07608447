# MemberDesk: one-command set-up. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions of every runtime, test and lint dependency (transitive included), written by
# `make lock`. `make run`, `make test` and .ci/run install from it; pyproject.toml keeps the loose
# lower bounds for `pip install memberdesk` users.
LOCK := requirements.lock
EXTRAS := test,lint,postgres,spark,bundle

.PHONY: run test lint install lock test-latest bundle translations bench screenshots clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Regenerate the lock from the newest releases that satisfy pyproject.toml (then run make test).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[$(EXTRAS)]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^memberdesk' > $(LOCK)
	rm -rf .venv-lock

# The suite against the newest releases (not the lock): breakage is seen before users see it.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -e ".[$(EXTRAS)]"
	.venv-latest/bin/python -m pip list --format=freeze | grep -iE '^(numpy|pandas|scipy|lifelines|pyside6|pyarrow|duckdb|ibis|scikit)' || true
	QT_QPA_PLATFORM=offscreen .venv-latest/bin/python -m pytest -q

install: $(STAMP)

run: $(STAMP)
	$(BIN)/memberdesk gui sample_data

# Style, types and the layer contract (core -> analysis -> report -> ui | commands).
lint: $(STAMP)
	$(BIN)/ruff check memberdesk tests benchmarks
	$(BIN)/mypy memberdesk
	$(BIN)/lint-imports

# Lint, types and the layer contract first, then the whole suite headless.
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Re-extract the UI strings (every .py under memberdesk/ui), fill in the Chinese from
# resources/translations/tools/zh_CN.py, compile the .qm. Idempotent: a second run changes nothing.
TS_ZH := resources/translations/memberdesk_zh_CN.ts
translations: $(STAMP)
	$(BIN)/pyside6-lupdate -extensions py -locations none -no-obsolete memberdesk/ui -ts $(TS_ZH)
	$(BIN)/python resources/translations/tools/fill_ts.py $(TS_ZH)
	$(BIN)/pyside6-lrelease -silent $(TS_ZH) -qm resources/translations/memberdesk_zh_CN.qm

SHOT_PAGES := cockpit retention persistency drivers experience service
screenshots: $(STAMP)
	mkdir -p docs/screenshots
	for p in $(SHOT_PAGES); do QT_QPA_PLATFORM=offscreen $(BIN)/memberdesk gui sample_data --lang en --screenshot docs/screenshots/$$p.png --page $$p || exit 1; done
	$(BIN)/python -c "from PIL import Image; import sys; [Image.open(f).convert('RGB').quantize(256, dither=Image.Dither.NONE).save(f, optimize=True) for f in sys.argv[1:]]" $(addprefix docs/screenshots/,$(addsuffix .png,$(SHOT_PAGES)))

# A self-contained application folder, dist/memberdesk/ (run dist/memberdesk/memberdesk).
# Windows: the same spec from a venv made from the lock (see README).
bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean packaging/memberdesk.spec

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .venv-lock .venv-latest build dist *.egg-info
