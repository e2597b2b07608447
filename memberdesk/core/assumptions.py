"""Analysis assumptions: the values an actuary may change (docs/conventions.md, "Assumptions").

One frozen :class:`Assumptions` object is carried by every :class:`memberdesk.core.dataset.Dataset`
(``ds.assumptions``) and read by the analyses instead of their hard-coded defaults; an explicit
argument to an analysis still wins. The object is saved in workspaces (``"assumptions"``), passed
to the CLI as a TOML file (``--assumptions FILE.toml``), shown in the lineage's settings nodes and
on the report's Definitions sheet.

Units
-----
* ``free_look_days``, ``grace_days``: calendar days (integers >= 0).
* ``credibility_p`` (probability) and ``credibility_r`` (tolerance) of limited-fluctuation
  credibility, y = (Φ⁻¹((1 + p)/2) ÷ r)².
* ``ci_level``: two-sided confidence level of every interval (KM, Cox, experience); the
  analyses' ``alpha`` is ``1 − ci_level``.
* Bands: ascending cut-offs; band k holds values in [cut[k-1], cut[k]) (the first from 0, the last
  open-ended). Ages in completed years at issue, premiums in the policy currency a year,
  durations in months since issue (the scoring snapshot's duration band).
* ``reference_levels``: categorical column -> the level a Cox covariate is compared with; a
  column not listed (or a level absent from the data) uses the most frequent level.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

SCHEMA_VERSION = 1

DEFAULT_AGE_CUTS: tuple[float, ...] = (18, 30, 40, 50, 60)
DEFAULT_PREMIUM_CUTS: tuple[float, ...] = (1_000, 3_000, 10_000, 30_000)
DEFAULT_DURATION_CUTS: tuple[float, ...] = (12, 24, 36, 48)

# The labels the defaults have always had (translations and the label catalogue's orders use them).
_DEFAULT_LABELS: dict[str, tuple[str, ...]] = {
    "age": ("0-17", "18-29", "30-39", "40-49", "50-59", "60+"),
    "premium": ("<1k", "1k-3k", "3k-10k", "10k-30k", "30k+"),
    "duration": ("0", "1", "2", "3", "4+"),
}
_DEFAULT_CUTS: dict[str, tuple[float, ...]] = {
    "age": DEFAULT_AGE_CUTS, "premium": DEFAULT_PREMIUM_CUTS, "duration": DEFAULT_DURATION_CUTS,
}

Band = tuple[float, float, str]


class AssumptionsError(ValueError):
    """An assumption value out of its range (the message names the field)."""


def _money(x: float) -> str:
    if x >= 1_000 and x % 1_000 == 0:
        return f"{x / 1_000:g}k"
    return f"{x:g}"


def band_labels(kind: str, cuts: tuple[float, ...]) -> tuple[str, ...]:
    """Labels of the bands ``cuts`` make (the historical labels for the default cut-offs).

    Ages: ``0-17, 18-29, …, 60+``; premiums: ``<1k, 1k-3k, …, 30k+``; durations: ``0-11, …``
    in months (the defaults keep the policy-year labels ``0 … 4+``).
    """
    if tuple(cuts) == _DEFAULT_CUTS[kind]:
        return _DEFAULT_LABELS[kind]
    if kind == "premium":
        inner = [f"{_money(lo)}-{_money(hi)}" for lo, hi in zip(cuts, cuts[1:], strict=False)]
        return (f"<{_money(cuts[0])}", *inner, f"{_money(cuts[-1])}+")
    edges = (0.0, *cuts)
    out = [f"{lo:g}-{hi - 1:g}" for lo, hi in zip(edges, edges[1:], strict=False)]
    return (*out, f"{cuts[-1]:g}+")


def bands(kind: str, cuts: tuple[float, ...]) -> tuple[Band, ...]:
    """``(lo, hi, label)`` triples of ``cuts`` (``[lo, hi)``, first from 0, last to infinity)."""
    edges = (0.0, *map(float, cuts), math.inf)
    labels = band_labels(kind, cuts)
    return tuple((lo, hi, lab) for lo, hi, lab in zip(edges[:-1], edges[1:], labels, strict=True))


@dataclass(frozen=True)
class Assumptions:
    """The analysis assumptions (see the module docstring for units). Build a changed copy with
    :meth:`replace` (validated); :meth:`validate` raises :class:`AssumptionsError`."""

    free_look_days: int = 15
    grace_days: int = 60
    credibility_p: float = 0.95
    credibility_r: float = 0.05
    ci_level: float = 0.95
    age_cuts: tuple[float, ...] = DEFAULT_AGE_CUTS
    premium_cuts: tuple[float, ...] = DEFAULT_PREMIUM_CUTS
    duration_cuts: tuple[float, ...] = DEFAULT_DURATION_CUTS
    reference_levels: tuple[tuple[str, str], ...] = ()
    schema_version: int = field(default=SCHEMA_VERSION)

    def __post_init__(self) -> None:
        self.validate()

    # ---- derived -----------------------------------------------------------------------------

    @property
    def alpha(self) -> float:
        """1 − :attr:`ci_level` (the analyses' ``alpha``)."""
        return 1.0 - self.ci_level

    @property
    def age_bands(self) -> tuple[Band, ...]:
        return bands("age", self.age_cuts)

    @property
    def premium_bands(self) -> tuple[Band, ...]:
        return bands("premium", self.premium_cuts)

    @property
    def duration_bands(self) -> tuple[Band, ...]:
        return bands("duration", self.duration_cuts)

    @property
    def references(self) -> dict[str, str]:
        """:attr:`reference_levels` as a dict (column -> level)."""
        return dict(self.reference_levels)

    @property
    def is_default(self) -> bool:
        return self == Assumptions()

    def changed(self) -> list[str]:
        """Names of the fields that differ from the defaults."""
        base = Assumptions()
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(base, f.name)]

    # ---- checks --------------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise :class:`AssumptionsError` for a value out of range."""
        for name in ("free_look_days", "grace_days"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3660:
                raise AssumptionsError(f"{name} must be a whole number of days from 0 to 3660")
        for name in ("credibility_p", "ci_level"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not 0.5 <= float(v) < 1:
                raise AssumptionsError(f"{name} must be a probability in [0.5, 1)")
        if not isinstance(self.credibility_r, (int, float)) or not 0 < self.credibility_r < 1:
            raise AssumptionsError("credibility_r must be in (0, 1)")
        for name in ("age_cuts", "premium_cuts", "duration_cuts"):
            cuts = getattr(self, name)
            if not cuts:
                raise AssumptionsError(f"{name} needs at least one cut-off")
            if any(not isinstance(c, (int, float)) or not math.isfinite(c) or c <= 0
                   for c in cuts):
                raise AssumptionsError(f"{name} must be positive finite numbers")
            if any(b <= a for a, b in zip(cuts, cuts[1:], strict=False)):
                raise AssumptionsError(f"{name} must be strictly increasing")
        for pair in self.reference_levels:
            if len(pair) != 2 or not all(isinstance(s, str) and s for s in pair):
                raise AssumptionsError("reference_levels are (column, level) pairs of text")
        if self.schema_version != SCHEMA_VERSION:
            raise AssumptionsError(f"unknown assumptions schema_version {self.schema_version}")

    def replace(self, **changes: Any) -> Assumptions:
        """A validated copy with ``changes``."""
        return replace(self, **changes)

    # ---- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-able dict (``reference_levels`` as a table column -> level)."""
        return {
            "schema_version": self.schema_version,
            "free_look_days": self.free_look_days, "grace_days": self.grace_days,
            "credibility_p": self.credibility_p, "credibility_r": self.credibility_r,
            "ci_level": self.ci_level,
            "age_cuts": list(self.age_cuts), "premium_cuts": list(self.premium_cuts),
            "duration_cuts": list(self.duration_cuts),
            "reference_levels": dict(self.reference_levels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assumptions:
        """Inverse of :meth:`to_dict`; missing keys take their defaults, unknown keys and bad
        values raise :class:`AssumptionsError`."""
        if not isinstance(data, Mapping):
            raise AssumptionsError("assumptions must be a table of values")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise AssumptionsError(f"unknown assumption(s): {', '.join(unknown)}")
        kw: dict[str, Any] = {}
        try:
            for name in ("free_look_days", "grace_days", "schema_version"):
                if name in data:
                    v = data[name]
                    if isinstance(v, float) and v.is_integer():
                        v = int(v)
                    if isinstance(v, bool) or not isinstance(v, int):
                        raise AssumptionsError(f"{name} must be a whole number")
                    kw[name] = v
            for name in ("credibility_p", "credibility_r", "ci_level"):
                if name in data:
                    v = data[name]
                    if isinstance(v, bool) or not isinstance(v, (int, float)):
                        raise AssumptionsError(f"{name} must be a number")
                    kw[name] = float(v)
            for name in ("age_cuts", "premium_cuts", "duration_cuts"):
                if name in data:
                    v = data[name]
                    if not isinstance(v, (list, tuple)) or any(
                            isinstance(c, bool) or not isinstance(c, (int, float)) for c in v):
                        raise AssumptionsError(f"{name} must be a list of numbers")
                    kw[name] = tuple(float(c) if not float(c).is_integer() else int(c) for c in v)
            if "reference_levels" in data:
                refs = data["reference_levels"]
                if not isinstance(refs, Mapping):
                    raise AssumptionsError("reference_levels must be a table column = level")
                kw["reference_levels"] = tuple(sorted((str(k), str(v)) for k, v in refs.items()))
        except (TypeError, ValueError) as exc:
            if isinstance(exc, AssumptionsError):
                raise
            raise AssumptionsError(str(exc)) from exc
        return cls(**kw)

    def to_toml(self) -> str:
        """TOML text of :meth:`to_dict` (readable by :meth:`from_toml`)."""
        d = self.to_dict()
        lines = ["# MemberDesk analysis assumptions"]
        for key, value in d.items():
            if key == "reference_levels":
                continue
            if isinstance(value, list):
                lines.append(f"{key} = [{', '.join(_toml_number(v) for v in value)}]")
            else:
                lines.append(f"{key} = {_toml_number(value)}")
        lines.append("")
        lines.append("[reference_levels]")
        for col, level in d["reference_levels"].items():
            lines.append(f"{_toml_string(col)} = {_toml_string(level)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str) -> Assumptions:
        import tomllib  # on first use: most runs read no assumptions file

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise AssumptionsError(f"not a TOML file: {exc}") from exc
        return cls.from_dict(data)

    def describe(self) -> list[tuple[str, str]]:
        """``(field, value)`` lines for settings nodes, the Definitions sheet and the dialog."""
        refs = ", ".join(f"{c} = {lv}" for c, lv in self.reference_levels) or "most frequent"
        return [
            ("free_look_days", str(self.free_look_days)),
            ("grace_days", str(self.grace_days)),
            ("credibility", f"p = {self.credibility_p:g}, r = {self.credibility_r:g}"),
            ("ci_level", f"{self.ci_level:g}"),
            ("age_cuts", ", ".join(f"{c:g}" for c in self.age_cuts)),
            ("premium_cuts", ", ".join(f"{c:g}" for c in self.premium_cuts)),
            ("duration_cuts", ", ".join(f"{c:g}" for c in self.duration_cuts)),
            ("reference_levels", refs),
        ]


def _toml_number(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{v:.1f}"
    return repr(v) if isinstance(v, float) else str(v)


def _toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_assumptions(path: str) -> Assumptions:
    """Assumptions from a TOML file (``--assumptions FILE.toml``); raises
    :class:`AssumptionsError` (or OSError) with the reason."""
    with open(path, encoding="utf-8") as fh:
        return Assumptions.from_toml(fh.read())


DEFAULT = Assumptions()
