"""Sub-commands of ``tthc``; each module has ``register(subparsers)``."""
