"""The REST API under /api/v1/: thin adapters over the domain apps' services and selectors.

Systems authenticate with API tokens (accounts.tokens); a token acts as its user, with the
same access rules as the web (accounts.access). Nothing imports this package.
"""
