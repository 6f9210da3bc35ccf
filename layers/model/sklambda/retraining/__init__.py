"""The retraining loop: lock, data, candidate gate, run records, promotion watch."""
