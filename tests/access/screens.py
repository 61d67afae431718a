"""The screens the accessibility tests render: every state of the committed gallery, both languages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kiosk.demo.gallery_views import VIEWS, GalleryView, load

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "screens"


@cache
def gallery_views() -> tuple[GalleryView, ...]:
    """Every screen state of docs/screens/views.json (`./dev gallery` writes it)."""
    return tuple(load(COMMITTED / VIEWS))
