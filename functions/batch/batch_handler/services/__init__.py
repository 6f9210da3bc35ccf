"""Domain services: what an invocation means, with adapters passed in."""
