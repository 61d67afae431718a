"""Scripted visits: the demo, its transcript and screenshots."""
