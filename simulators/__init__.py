"""Simulators: real-protocol stand-ins for the kiosk's devices and library system."""
