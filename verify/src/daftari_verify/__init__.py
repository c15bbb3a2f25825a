"""Offline verification of Daftari's tamper-evident station ledger (RFC 6962 trees, C2SP checkpoints)."""

__version__ = "1.0.0"
