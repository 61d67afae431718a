"""Pure state machines: events in, effects out. No Qt, threads, sockets or clock reads here."""
