"""``python -m textmine.cli ARGS``: the ``textmine`` command (e.g. from a source tree)."""

from textmine.cli import main

if __name__ == "__main__":
    main()
