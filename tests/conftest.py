"""Suite-wide settings: headless Qt and no access to the real user profile."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
