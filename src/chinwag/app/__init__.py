"""Domain services: the only layer that changes state and the only one that publishes events."""
