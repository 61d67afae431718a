"""The gallery's views.json: every screen state of docs/screens in both languages, read back as the
View objects the flows show (the accessibility tests render each of them)."""

from __future__ import annotations

import re

from kiosk.core.model import Language
from kiosk.core.views import VIEW_TYPES, BorrowView, Input, Line, SignInView
from kiosk.demo import gallery
from kiosk.demo.gallery_views import view_of
from kiosk.demo.transcript import jsonable
from tests.access.screens import COMMITTED, gallery_views


def test_every_pictured_state_has_its_view_in_both_languages():
    index = (COMMITTED / gallery.INDEX).read_text(encoding="utf-8")
    pictured = set(re.findall(r'<img src="(ko|en)/(\d\d-[a-z0-9-]+)\.png"', index))
    views = gallery_views()
    kept = {(item.language, item.name) for item in views}
    assert pictured <= kept, f"states pictured without a view: {sorted(pictured - kept)}; run ./dev gallery"
    assert len(kept) == len(views), "one view per state and language"
    for item in views:
        assert isinstance(item.view, VIEW_TYPES[item.view.screen]), item.id
        assert item.view.language == Language(item.language), item.id
    assert {item.view.screen for item in views} >= set(VIEW_TYPES), "a kind of screen is missing"


def test_a_view_survives_the_transcript_and_back():
    view = BorrowView(
        "borrow", Language.EN, "borrow.title", "borrow.greeting",
        message_args=(("count", "2"),),
        lines=(Line("토지", "EM1", "ok", "borrow.done_line", (("due", "2026-12-14"),), "row.1", True),),
        controls=("finish", "call_staff"), countdown=12, busy=True, empty="borrow.empty",
    )  # fmt: skip
    assert view_of(jsonable(view)) == view
    pin = Input("pin", "signin.pin_label", "12")
    typed = SignInView("signin", Language.KO, "signin.title", inputs=(pin,))
    back = view_of(jsonable(typed))
    # What was typed is kept only as dots: the rest of the view is the same.
    assert type(back) is SignInView and back.inputs[0].value == "••" and back.inputs[0].name == "pin"
