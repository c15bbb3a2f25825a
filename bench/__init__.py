"""Daftari's benchmarks: each figure is printed next to a raw limit measured in the same run.

``make bench`` (``python -m bench``) records entries through the real HTTP API against bare
psycopg inserts, then searches a PostgreSQL book of a million entries against hand-written SQL.
"""
