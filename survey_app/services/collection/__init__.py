"""Collecting answers: the form's submissions, imports of files, tickets, sources, integrity.

Every path that stores an answer keeps the monthly rollup (:mod:`.rollup`) in its transaction.
"""
