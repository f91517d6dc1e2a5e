"""Content checks (R-24, R-50..R-54): pure Python, no Flask, no database.

Entry points for the app are in ``runner`` (text, titles, file names, CLI),
``links`` (hidden/external links, background dead-link check) and ``uploads``.
"""
