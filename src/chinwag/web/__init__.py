"""HTTP and WebSocket: parse, authenticate, call app, serialise. Never touches store."""
