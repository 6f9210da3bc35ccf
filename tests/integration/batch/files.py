"""Test files built from the model's own holdout rows, clean and messy."""

import json

import numpy as np


def csv_text(names: list[str], rows: np.ndarray, *, messy: bool = False) -> str:
    quoted = [f'"{name}"' if "," in name else name for name in names]
    lines = ["\ufeffcustomer_id,note," + ",".join(quoted)]
    for index, row in enumerate(rows.tolist()):
        lines.append(f'c{index},"says ""hi"", twice",' + ",".join(map(repr, row)))
    if messy:
        width = len(names)
        lines[3] = lines[3].rsplit(",", 1)[0] + ",not-a-number"  # a bad number
        lines[5] = "c-short,only,1,2"  # missing columns
        lines.insert(7, "")  # a blank line
        lines.insert(9, lines[0].removeprefix("\ufeff"))  # a header repeated mid-file
        lines.insert(11, "c-inf,x," + ",".join(["inf"] * width))
    return "\n".join(lines) + "\n"


def jsonl_text(names: list[str], rows: np.ndarray, *, messy: bool = False) -> str:
    lines = [
        json.dumps({"id": index, **dict(zip(names, row, strict=True))})
        for index, row in enumerate(rows.tolist())
    ]
    if messy:
        lines[2] = lines[2][:-5]
        lines.insert(4, "")
        lines[6] = json.dumps({"id": "no-features"})
    return "\n".join(lines) + "\n"
