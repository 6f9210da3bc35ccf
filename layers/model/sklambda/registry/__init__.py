"""The model registry in S3: immutable versions, manifests and the champion alias."""
