"""Embedded SIP2 library server with a SQLite circulation store and deterministic seed data."""

from simulators.ils.server import ServerHandle, start_server

__all__ = ["ServerHandle", "start_server"]
