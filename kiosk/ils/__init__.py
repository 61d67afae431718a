"""The library link: the LibrarySystem port over SIP2."""
