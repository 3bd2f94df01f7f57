"""One module per CLI command (or command group); each exposes ``register(subparsers)``."""
