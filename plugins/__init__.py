"""Column-type plugins. Each package exposes `register(registry)`; see
intranet/columntypes.py for the contract."""
