"""The message catalogue: every text a patron sees or hears, by id, in Korean and English.

Texts live in area modules beside this file (visit.py, ...), each defining KO and EN dicts
with the same keys; an id belongs to one area only (tests/core/test_messages.py checks both).
"""

from __future__ import annotations

import importlib
import pkgutil

from kiosk.core.model import Language


def _load() -> tuple[dict[str, dict[str, dict[str, str]]], dict[Language, dict[str, str]]]:
    areas: dict[str, dict[str, dict[str, str]]] = {}
    merged: dict[Language, dict[str, str]] = {Language.KO: {}, Language.EN: {}}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        areas[info.name] = {"ko": module.KO, "en": module.EN}
        merged[Language.KO].update(module.KO)
        merged[Language.EN].update(module.EN)
    return areas, merged


AREAS, CATALOGUES = _load()


def text(msg_id: str, language: Language, **args: object) -> str:
    """The text of `msg_id` in `language`, placeholders filled. An unknown id shows itself,
    so a missing text is visible in tests and on screen rather than silently blank.
    An argument that is itself a message id is replaced by its text."""
    catalogue = CATALOGUES[language]
    template = catalogue.get(msg_id)
    if template is None:
        return msg_id
    args = {k: catalogue.get(v, v) if isinstance(v, str) else v for k, v in args.items()}
    try:
        return template.format(**args)
    except (KeyError, IndexError, ValueError):
        return template
