"""Platform: live connections, event delivery, presence, background jobs. Never imports app."""
