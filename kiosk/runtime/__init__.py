"""The event loop that feeds events to the flow and carries out its effects."""
