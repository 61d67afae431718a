"""`python -m bench [NAME...] [--OPTION ...]`: run the named benchmarks (default: all) and print
their tables; options go to the benchmarks (e.g. `./dev bench decode --random 13`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    # Names first; options from the first "--" on are the benchmarks' own (they read sys.argv).
    first_option = next((i for i, a in enumerate(argv) if a.startswith("--")), len(argv))
    names = argv[:first_option] or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== bench/{name}.py: {(module.__doc__ or '').strip().splitlines()[0]}")
        module.main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
