"""Domain errors. Each one carries a message a caller can act on."""


class SklambdaError(Exception):
    """Base class for every error sklambda raises on purpose."""


class ConfigurationError(SklambdaError):
    """The environment a function runs in is incomplete or invalid."""


class ModelUnavailableError(SklambdaError):
    """No model can serve: there is no champion yet, or the registry cannot be reached."""


class ModelNotFoundError(SklambdaError):
    """A named model version does not exist in the registry."""


class IntegrityError(SklambdaError):
    """An artifact's bytes do not match the sha256 its manifest records."""


class CorruptModelError(SklambdaError):
    """A registry object is not what it claims to be: an alias or manifest that does not
    parse, or an artifact that matches its hash and still does not load. Permanent: the same
    bytes fail the same way, so they are not fetched again until the alias moves."""


class UntrustedModelError(SklambdaError):
    """A manifest is unsigned, or its signature was not made by the stack's signing key."""


class IncompatibleModelError(SklambdaError):
    """A model was trained with library versions this runtime does not ship."""


class SdkTooOldError(ConfigurationError):
    """The botocore in use predates S3 conditional writes, which the registry relies on."""


class ConcurrentUpdateError(SklambdaError):
    """Another writer moved an alias first; re-read it and decide again."""


class VersionExistsError(SklambdaError):
    """A version is immutable once published."""


class RollbackUnavailableError(SklambdaError):
    """There is no previous champion to roll back to."""


class TrainingDataError(SklambdaError):
    """Training data cannot be read or has no usable rows."""


# ---------------------------------------------------------------- retraining loop
class InvalidTriggerError(SklambdaError):
    """A retraining run was started by an event it does not know how to act on."""


class CandidateRejectedError(SklambdaError):
    """A candidate cannot be compared with the champion (e.g. no champion to compare with)."""
