"""The touchscreen front end (PySide6): renders views, turns touches and keys into events."""
