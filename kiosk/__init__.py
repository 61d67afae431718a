"""Chaekieum self-checkout kiosk."""

__version__ = "0.1.0"
