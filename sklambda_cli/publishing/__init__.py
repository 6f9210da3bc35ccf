"""Publish a model fitted elsewhere (a notebook, another training job) into the registry."""
