"""The kiosk's vocabulary: model, events, effects, views, ports, errors and messages (stdlib only)."""
