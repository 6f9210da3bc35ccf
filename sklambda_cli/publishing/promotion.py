"""Promotion by a person: refused when the version would surprise what serves, unless forced."""

from sklambda.errors import SklambdaError
from sklambda.registry.manifest import Manifest, RuntimeVersions
from sklambda.registry.store import ModelRegistry


class PromotionRefusedError(SklambdaError):
    """The version differs from the champion, or from the layer, in a way callers would notice."""


def _few(names: list[str], shown: int = 4) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{names[:shown]}{more}"


def surprises(
    candidate: Manifest, champion: Manifest | None, runtime: RuntimeVersions
) -> list[str]:
    found = []
    if candidate.runtime.scikit_learn != runtime.scikit_learn:
        found.append(
            f"it was pickled with scikit-learn {candidate.runtime.scikit_learn}, the layer ships "
            f"{runtime.scikit_learn}: it would not load and the old champion would keep serving"
        )
    if champion is None:
        return found
    if candidate.task != champion.task:
        found.append(f"task {candidate.task} replaces {champion.task}")
    if candidate.classes != champion.classes:
        found.append(f"classes {candidate.classes} replace {champion.classes}")
    ours = [(f.name, f.kind.value) for f in candidate.feature_schema.features]
    theirs = [(f.name, f.kind.value) for f in champion.feature_schema.features]
    if ours != theirs:
        added = sorted({name for name, _ in ours} - {name for name, _ in theirs})
        removed = sorted({name for name, _ in theirs} - {name for name, _ in ours})
        detail = (
            f"{len(added)} added {_few(added)}, {len(removed)} removed {_few(removed)}"
            if added or removed
            else "order or kinds"
        )
        found.append(f"the feature schema changes ({detail}); callers' rows would be refused")
    return found


def promote_checked(
    registry: ModelRegistry,
    version: str,
    *,
    reason: str,
    force: bool = False,
    expected_current: str | None = None,
    runtime: RuntimeVersions | None = None,
) -> list[str]:
    """Promote `version`; returns what to tell the person. Refuses surprises unless `force`."""
    candidate = registry.manifest(version)
    state = registry.alias()
    champion = registry.manifest(state.pointer.version) if state else None
    found = surprises(candidate, champion, runtime or RuntimeVersions.current())
    lines = []
    if found and not force:
        raise PromotionRefusedError(
            f"not promoting {version}: " + "; ".join(found) + " (pass --force to promote anyway)"
        )
    if found:
        lines.append("promoting despite: " + "; ".join(found))
        reason = f"{reason} (forced: {'; '.join(found)})"
    pointer = registry.promote(version, expected_current=expected_current, reason=reason)
    lines.append(f"champion is now {pointer.version} (previous: {pointer.previous or 'none'})")
    return lines
