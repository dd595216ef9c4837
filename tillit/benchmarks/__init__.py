"""Benchmarks: Kolada's key indicators for our municipality beside similar municipalities.

Kolada (RKA) publishes municipal key indicators; this app fetches them through the v3 API
(`client`), or loads them from files (`files`), keeps them with the time they were fetched and
every revision Kolada made silently (`services`), and compares us with a group (`selectors`).
It needs only common, accounts and audit; the web adapter shows it.
"""
