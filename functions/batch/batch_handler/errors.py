"""Batch failures, split by whether trying the same event again can succeed."""

from sklambda.errors import SklambdaError


class BatchError(SklambdaError):
    retryable = True


class UnreadableFileError(BatchError):
    """The file itself is wrong (format, header, encoding): retrying cannot help."""

    retryable = False


class ChunkFailedError(BatchError):
    """A chunk of a large file could not be scored; the state machine retries it."""
