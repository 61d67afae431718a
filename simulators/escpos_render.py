"""An ESC/POS interpreter that draws what a thermal printer would put on paper.

It reads the bytes as a printer does, with its own fonts and metrics (simulators/printer_paper.py)
and nothing of the kiosk's encoder, so a mistake in the encoder shows on its paper."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import qrcode
import qrcode.exceptions
from PIL import Image

from simulators.printer_paper import DEFAULT_LINE_SPACING, FONT_A, FONT_B, CellFont, Paper, find_font, glyph

log = logging.getLogger(__name__)

# Korean character sets of the double-byte font (FS & ... FS .): "ks_x_1001" prints only the
# KS X 1001 set (both bytes 0xA1-0xFE); "cp949" prints all of Unified Hangul Code.
CODEPAGES = ("ks_x_1001", "cp949")
# ESC t n: the single-byte code tables a printer commonly has, and Python's name for each.
_CODE_TABLES = {0: "cp437", 2: "cp850", 3: "cp860", 16: "cp1252", 17: "cp866", 19: "cp858"}


def _params(groups: dict[int, bytes]) -> dict[int, int]:
    return {cmd: count for count, cmds in groups.items() for cmd in cmds}


# Parameter bytes after ESC x / GS x / FS x for commands we only need to step over.
_ESC_PARAMS = _params({0: b"2imSL<", 1: b"-3GJMRVet{ rU%?=T", 2: b"c$\\", 3: b"p", 8: b"W"})
_GS_PARAMS = _params({0: b":", 1: b"BHabfhwrITE", 2: b"LWP$\\", 3: b"^"})
_FS_PARAMS = _params({0: b"q", 1: b"!C-W", 2: b"Sp", 74: b"2"})
_QR_EC = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}


class EscposInterpreter:
    """Feeds on a byte stream in any chunking; calls back for status queries, printed
    lines and cuts. `can_print()` False (no paper, cover open) discards what would print.

    What the printer model has: `dots` across the head; `codepage` of its Korean font
    ("ks_x_1001", "cp949", or None for a printer without one, which ignores FS &);
    `qr_native`, whether it knows GS ( k QR codes (without, it prints none)."""

    def __init__(
        self,
        dots: int,
        on_status: Callable[[int], None],
        on_cut: Callable[[Image.Image | None], None],
        can_print: Callable[[], bool] = lambda: True,
        on_printed: Callable[[], None] = lambda: None,
        *,
        codepage: str | None = "cp949",
        qr_native: bool = True,
    ) -> None:
        if codepage is not None and codepage not in CODEPAGES:
            raise ValueError(f"codepage must be one of {', '.join(CODEPAGES)} or None, got {codepage!r}")
        find_font(False)  # no font, no printer: say so now rather than drop the first line
        self.dots = dots
        self.codepage = codepage
        self.qr_native = qr_native
        self._on_status = on_status
        self._on_cut = on_cut
        self._can_print = can_print
        self._on_printed = on_printed
        self._buf = bytearray()
        self.paper = Paper(dots)
        # The text of the lines printed on the page so far, as a reader of the paper sees it
        # (characters, not pictures: QR codes and raster images leave nothing here).
        self.page_text: list[str] = []
        # The text of the page last cut, for on_cut to read.
        self.cut_text: list[str] = []
        self.skipped = 0  # bytes of commands we do not know, stepped over
        self._reset()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = 48

    def _reset(self) -> None:
        self.font: CellFont = FONT_A
        self.bold = False
        self.wscale = self.hscale = 1
        self.align = 0
        self.korean = False
        self.spacing = DEFAULT_LINE_SPACING
        self.char_spacing = 0  # ESC SP: dots right of each half-width character
        self.table = _CODE_TABLES[0]
        self._cells: list[Image.Image] = []
        self._chars: list[str] = []
        self._line_dots = 0

    def discard_page(self) -> None:
        """Forget the part-printed receipt (the paper was torn off or reloaded)."""
        self.paper = Paper(self.dots)
        self._cells, self._chars, self._line_dots = [], [], 0
        self.page_text = []

    def feed(self, data: bytes) -> None:
        self._buf += data
        while self._buf:
            try:
                used = self._step()
            except Exception:  # a garbled stream must not kill the printer: drop what we hold
                log.exception("cannot interpret ESC/POS stream; dropping %d bytes", len(self._buf))
                self.skipped += len(self._buf)
                self._buf.clear()
                return
            if used == 0:
                return  # incomplete command: wait for more bytes
            del self._buf[:used]

    # --- parsing; each returns the bytes consumed, 0 when more are needed ---

    def _step(self) -> int:
        b = self._buf
        c = b[0]
        if c == 0x1B:
            return self._esc()
        if c == 0x1D:
            return self._gs()
        if c == 0x1C:
            return self._fs()
        if c == 0x10:
            return self._dle()
        if c in (0x0A, 0x0C):
            self._print_line()
            return 1
        if c == 0x09:
            self._add_char(" ", wide=False)
            return 1
        if c < 0x20 or c == 0x7F:
            return 1  # CR and other controls: nothing to draw
        if c >= 0x80:
            if self.korean:
                if len(b) < 2:
                    return 0
                self._add_char(self._korean(bytes(b[:2])), wide=True)
                return 2
            self._add_char(bytes(b[:1]).decode(self.table, errors="replace"), wide=False)
            return 1
        end = 1
        while end < len(b) and 0x20 <= b[end] < 0x7F:
            end += 1
        for ch in b[:end].decode("ascii"):
            self._add_char(ch, wide=False)
        return end

    def _korean(self, pair: bytes) -> str:
        """The character a Korean font prints for a double-byte code (U+FFFD: not in it)."""
        if self.codepage == "ks_x_1001" and not (pair[0] >= 0xA1 and pair[1] >= 0xA1):
            return "\ufffd"  # a UHC extension code: this font has no such character
        try:
            return pair.decode("cp949")
        except UnicodeDecodeError:
            return "\ufffd"

    def _esc(self) -> int:
        b = self._buf
        if len(b) < 2:
            return 0
        cmd = b[1:2]
        if cmd == b"@":
            self._flush_pending()
            self._reset()
            return 2
        if cmd in (b"E", b"a", b"!", b"d", b"J", b"3", b"2", b"M", b"t", b" "):
            need = 2 if cmd == b"2" else 3
            if len(b) < need:
                return 0
            n = b[2] if need == 3 else 0
            if cmd == b"E":
                self.bold = bool(n & 1)
            elif cmd == b"a":
                self.align = n % 48 if n >= 48 else n & 3
            elif cmd == b"!":
                self.font = FONT_B if n & 0x01 else FONT_A
                self.bold = bool(n & 0x08)
                self.hscale = 2 if n & 0x10 else 1
                self.wscale = 2 if n & 0x20 else 1
            elif cmd == b"M":
                self.font = FONT_B if n in (1, 49) else FONT_A
            elif cmd == b"t":
                self.table = _CODE_TABLES.get(n, _CODE_TABLES[0])
            elif cmd == b" ":
                self.char_spacing = n
            elif cmd == b"d":
                self._print_line()
                self._advance(max(0, n - 1) * self.spacing)
            elif cmd == b"J":
                self._flush_pending()
                self._advance(n)
            elif cmd == b"3":
                self.spacing = n
            else:
                self.spacing = DEFAULT_LINE_SPACING
            return need
        if cmd == b"*":  # column bit image: m nL nH data, stepped over
            if len(b) < 5:
                return 0
            size = (b[3] + 256 * b[4]) * (3 if b[2] in (32, 33) else 1)
            return self._skip(5 + size)
        return self._skip(2 + _ESC_PARAMS.get(b[1], 0))

    def _gs(self) -> int:
        b = self._buf
        if len(b) < 2:
            return 0
        cmd = b[1:2]
        if cmd == b"!":
            if len(b) < 3:
                return 0
            self.wscale = ((b[2] >> 4) & 7) + 1
            self.hscale = (b[2] & 7) + 1
            return 3
        if cmd == b"V":
            if len(b) < 3:
                return 0
            size = 4 if b[2] in (65, 66, 97, 98, 103, 104) else 3
            if len(b) < size:
                return 0
            self._cut()
            return size
        if cmd == b"v":
            return self._raster()
        if cmd == b"(":
            if len(b) < 5:
                return 0
            size = 5 + b[3] + 256 * b[4]
            if len(b) < size:
                return 0
            if b[2:3] == b"k" and self.qr_native:
                self._qr(bytes(b[5:size]))
            else:
                self.skipped += size
            return size
        if cmd == b"8":  # GS 8 L: four length bytes
            if len(b) < 7:
                return 0
            return self._skip(7 + int.from_bytes(b[3:7], "little"))
        if cmd == b"k":
            return self._barcode()
        return self._skip(2 + _GS_PARAMS.get(b[1], 0))

    def _fs(self) -> int:
        b = self._buf
        if len(b) < 2:
            return 0
        if b[1:2] in (b"&", b".") and self.codepage is not None:
            # Without a Korean font the printer does not know FS & and FS .: they are stepped
            # over, and the bytes between print as single-byte characters.
            self.korean = b[1:2] == b"&"
            return 2
        return self._skip(2 + _FS_PARAMS.get(b[1], 0))

    def _dle(self) -> int:
        b = self._buf
        if len(b) < 2:
            return 0
        if b[1] == 0x04:  # DLE EOT n: real-time status
            if len(b) < 3:
                return 0
            if b[2] in (7, 8):
                return self._skip(4)
            self._on_status(b[2])
            return 3
        if b[1] == 0x05:
            return self._skip(3)
        if b[1] == 0x14:
            return self._skip(5)
        return 1

    def _skip(self, size: int) -> int:
        if len(self._buf) < size:
            return 0
        self.skipped += size
        return size

    def _barcode(self) -> int:
        b = self._buf
        if len(b) < 3:
            return 0
        if b[2] <= 6:  # data ends with NUL
            end = b.find(b"\x00", 3)
            return 0 if end < 0 else self._skip(end + 1)
        if len(b) < 4:
            return 0
        return self._skip(4 + b[3])

    # --- printing ---

    def _add_char(self, ch: str, wide: bool) -> None:
        cell = glyph(ch, self.font, wide, self.bold)
        if (self.wscale, self.hscale) != (1, 1):
            cell = cell.resize(
                (cell.width * self.wscale, cell.height * self.hscale), Image.Resampling.NEAREST
            )
        if self.char_spacing and not wide:
            spaced = Image.new("L", (cell.width + self.char_spacing * self.wscale, cell.height), 255)
            spaced.paste(cell, (0, 0))
            cell = spaced
        if self._line_dots + cell.width > self.dots:
            self._print_line()  # a printer wraps what does not fit
        self._cells.append(cell)
        self._chars.append(ch)
        self._line_dots += cell.width

    def _print_line(self) -> None:
        cells, self._cells, self._line_dots = self._cells, [], 0
        chars, self._chars = self._chars, []
        if not cells:
            self._advance(self.spacing)
        elif self._can_print():
            self.paper.text_line(cells, self.align, self.spacing)
            self.page_text.append("".join(chars).rstrip())
            self._on_printed()

    def _flush_pending(self) -> None:
        if self._cells:
            self._print_line()

    def _advance(self, dots: int) -> None:
        if self._can_print():
            self.paper.advance(dots)

    def _image(self, img: Image.Image) -> None:
        self._flush_pending()
        if self._can_print():
            self.paper.paste(img, self.align)
            self._on_printed()

    def _raster(self) -> int:
        b = self._buf
        if len(b) < 8:
            return 0
        mode, xbytes, rows = b[3] % 48, b[4] + 256 * b[5], b[6] + 256 * b[7]
        size = 8 + xbytes * rows
        if len(b) < size:
            return 0
        if xbytes and rows:
            rows_bytes = np.frombuffer(bytes(b[8:size]), np.uint8).reshape(rows, xbytes)
            bits = np.unpackbits(rows_bytes[:, : self.dots // 8], axis=1)  # the head's width
            img = Image.fromarray(np.where(bits, 0, 255).astype(np.uint8), "L")
            scale = (2 if mode & 1 else 1, 2 if mode & 2 else 1)
            if scale != (1, 1):
                img = img.resize((img.width * scale[0], img.height * scale[1]), Image.Resampling.NEAREST)
            self._image(img)
        return size

    def _qr(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:  # cn 49: QR Code; other symbologies ignored
            return
        fn, args = body[1], body[2:]
        if fn == 65 or not args:
            return
        if fn == 67:
            self._qr_module = max(1, min(16, args[0]))
        elif fn == 69:
            self._qr_ec = args[0]
        elif fn == 80:
            self._qr_data = args[1:]  # after m = 48
        elif fn == 81 and self._qr_data:
            code = qrcode.QRCode(
                border=0,
                box_size=self._qr_module,
                error_correction=_QR_EC.get(self._qr_ec, _QR_EC[48]),
            )
            code.add_data(self._qr_data)
            try:
                code.make(fit=True)
            except (ValueError, qrcode.exceptions.DataOverflowError):
                return  # too much data for a QR code: a printer prints nothing either
            self._image(code.make_image().get_image().convert("L"))

    def _cut(self) -> None:
        self._flush_pending()
        paper, self.paper = self.paper, Paper(self.dots)
        self.cut_text, self.page_text = self.page_text, []
        self._on_cut(paper.finish() if paper.inked else None)
