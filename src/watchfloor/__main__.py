"""`python -m watchfloor` is the `watchfloor` command."""

from .cli import main

main()
