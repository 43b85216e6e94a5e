"""Ranking weights a knowledge folder carries for itself: ``ranking_weights.toml`` beside its files.

The shipped knowledge base's weights live in the package (:mod:`faqbot.ranking_weights`, reviewed in
a diff, checked by a test). A copy or a local folder that ``faqbot curate attach`` changed gets its
own relearned weights here, so the package is never rewritten by a help desk's edits; a folder
without the file uses the package's weights.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from faqbot.ranking import FEATURES, RankingWeights

WEIGHTS_NAME = "ranking_weights.toml"


class WeightsFileError(ValueError):
    """A knowledge folder's weights file that cannot be used; the message names it and the fix."""


def kb_weights_path(root: Path) -> Path:
    return root / WEIGHTS_NAME


def load_kb_weights(roots: Iterable[Path]) -> RankingWeights | None:
    """The weights of the last folder in ``roots`` that has a weights file, else None (the package's)."""
    for root in reversed(list(roots)):
        path = kb_weights_path(root)
        if path.is_file():
            return read_kb_weights(path)
    return None


def read_kb_weights(path: Path) -> RankingWeights:
    import tomllib  # here: a folder without its own weights (the shipped one) never parses TOML

    fix = "relearn it with faqbot curate attach, or delete it to use the shipped weights"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        coefficients = data["coefficients"]
        if tuple(coefficients) != FEATURES:
            raise WeightsFileError(f"{path}: the weights do not match this faqbot's ranking features; {fix}")
        calibration = tuple(float(x) for x in data["calibration"])
        if len(calibration) != 3:
            raise WeightsFileError(f"{path}: 'calibration' needs three numbers; {fix}")
        return RankingWeights(
            tuple(float(v) for v in coefficients.values()),
            float(data["bias"]),
            (calibration[0], calibration[1], calibration[2]),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, WeightsFileError):
            raise
        raise WeightsFileError(f"{path}: unreadable ranking weights ({exc}); {fix}") from None


def kb_weights_text(weights: RankingWeights, *, note: str = "") -> str:
    lines = [
        "# Ranking weights learned for this knowledge folder (faqbot curate attach); do not edit by hand.",
        *([f"# {note}"] if note else []),
        f"bias = {weights.bias!r}",
        f"calibration = [{', '.join(repr(x) for x in weights.calibration)}]",
        "",
        "[coefficients]",
        *(f"{name} = {value!r}" for name, value in zip(FEATURES, weights.coefficients)),
        "",
    ]
    return "\n".join(lines)


def write_kb_weights(root: Path, weights: RankingWeights, *, note: str = "") -> Path:
    path = kb_weights_path(root)
    path.write_text(kb_weights_text(weights, note=note), encoding="utf-8")
    return path
