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

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
