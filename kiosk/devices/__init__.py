"""Device adapters: implementations of kiosk.core ports over real hardware protocols."""
