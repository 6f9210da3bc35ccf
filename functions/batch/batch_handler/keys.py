"""Where everything a run reads and writes lives in the bucket."""

import hashlib

INCOMING = "incoming/"
SCORED = "scored/"
REJECTED = "rejected/"
RUNS = "runs/"
WORK = "batch-work/"


def relative(key: str) -> str:
    return key.removeprefix(INCOMING)


def scored_key(key: str) -> str:
    return SCORED + relative(key)


def rejected_key(key: str) -> str:
    return REJECTED + relative(key)


def run_key(key: str) -> str:
    return f"{RUNS}{relative(key)}.json"


def run_id(key: str, version_id: str) -> str:
    """Names one input version everywhere: working files and the state machine execution."""
    digest = hashlib.sha256(f"{key}\0{version_id}".encode()).hexdigest()[:32]
    return f"batch-{digest}"


def execution_name(run: str, attempt: int) -> str:
    """Step Functions keeps a name for 90 days after its execution ends: one name per try."""
    return f"{run}-{attempt}"


def claim_key(run: str) -> str:
    return f"{WORK}{run}/claim.json"


def manifest_key(run: str) -> str:
    return f"{WORK}{run}/manifest.json"


def part_key(run: str, kind: str, index: int) -> str:
    return f"{WORK}{run}/parts/{index:06d}.{kind}"
