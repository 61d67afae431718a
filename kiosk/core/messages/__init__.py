"""The message catalogue: every text a patron sees or hears, by id, in Korean and English."""

from __future__ import annotations

from kiosk.core.messages import en, ko
from kiosk.core.model import Language

CATALOGUES: dict[Language, dict[str, str]] = {Language.KO: ko.MESSAGES, Language.EN: en.MESSAGES}


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
