"""JSON transcript of a run's events and effects, with patron identifiers masked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

from kiosk.core.privacy import mask_card, mask_name

SECRET_KEYS = {"uid", "identifier", "patron_id", "card", "pin", "password"}
NAME_KEYS = {"name"}


def jsonable(obj: Any, key: str = "") -> Any:
    if key in SECRET_KEYS and isinstance(obj, str):
        return mask_card(obj)
    if key in NAME_KEYS and isinstance(obj, str):
        return mask_name(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {"type": type(obj).__name__}
        for f in dataclasses.fields(obj):
            if f.repr:
                out[f.name] = jsonable(getattr(obj, f.name), f.name)
        if getattr(obj, "kind", None) == "member" and isinstance(out.get("text"), str):
            # A mobile card's code is the patron's identifier.
            out["text"] = mask_card(out["text"])
        return out
    if isinstance(obj, dict):
        return {str(k): jsonable(v, str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, key) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, BaseException):
        return f"{type(obj).__name__}: {obj}"
    if isinstance(obj, bytes):
        return f"<{len(obj)} bytes>"
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


class Transcript:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def __call__(self, kind: str, obj: Any) -> None:
        self.entries.append({"kind": kind, **jsonable(obj)})

    def dump(self) -> str:
        return json.dumps(self.entries, ensure_ascii=False, indent=1)
