"""Load a model in a fresh interpreter that can import only what the layer ships.

Run as `python -I clean_load.py REQUEST.json`; prints one JSON object. It imports only the
standard library and the layer's `sklambda` package. The
parent computes which top-level modules the layer provides; any other import fails here the way
it would fail in Lambda, so a pickle needing a notebook-only module is refused at publish.
"""

import importlib.abc
import importlib.machinery
import json
import sys
import sysconfig
from pathlib import Path
from typing import Any

_ALWAYS = ("__editable__", "_distutils_hack")


class _LayerOnly(importlib.abc.MetaPathFinder):
    """Refuses top-level modules installed in site-packages that the layer does not ship."""

    def __init__(self, allowed: set[str]) -> None:
        self._allowed = allowed
        paths = sysconfig.get_paths()
        self._installed = tuple(
            str(Path(paths[key]).resolve()) for key in ("purelib", "platlib") if key in paths
        )

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:  # noqa: ARG002
        top = fullname.partition(".")[0]
        if "." in fullname or top in self._allowed or top in sys.stdlib_module_names:
            return
        if top.startswith(_ALWAYS):
            return
        spec = importlib.machinery.PathFinder.find_spec(top)
        if spec is None:
            return
        places = [spec.origin] if spec.origin else list(spec.submodule_search_locations or [])
        if any(str(Path(place).resolve()).startswith(self._installed) for place in places):
            raise ModuleNotFoundError(f"No module named {top!r} in the layer", name=top)


def _run(request: dict[str, Any]) -> dict[str, Any]:
    sys.meta_path.insert(0, _LayerOnly(set(request["allowed"])))
    import joblib

    from sklambda.named_columns import select_by_position
    from sklambda.schema import FeatureSchema, validate_instances

    try:
        estimator = joblib.load(request["artifact"])
    except ModuleNotFoundError as error:
        return {"error": f"the model needs module {error.name!r}, which the layer does not ship"}
    except (AttributeError, ImportError) as error:
        return {"error": f"the model cannot be unpickled from the layer's packages: {error}"}
    select_by_position(estimator)
    schema = FeatureSchema.model_validate(request["schema"])
    matrix = validate_instances(schema, request["rows"])
    predictions = estimator.predict(matrix)
    return {
        "predictions": [value.item() if hasattr(value, "item") else value for value in predictions]
    }


def main() -> None:
    request = json.loads(Path(sys.argv[1]).read_text())
    try:
        outcome = _run(request)
    except Exception as error:
        outcome = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(outcome, default=str))


if __name__ == "__main__":
    main()
