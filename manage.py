#!/usr/bin/env python
"""Django's manage.py; the `tillit` console script does the same."""

from tillit.cli import main

if __name__ == "__main__":
    main()
