"""The README's requests work as printed: they are the body the integration tests send."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TESTED_BODY = json.loads(json.loads((ROOT / "events/predict_one_row.json").read_text())["body"])


def _requests() -> list[str]:
    blocks = re.findall(r"```json\n(.*?)```", README, re.DOTALL)
    curl_bodies = re.findall(r"-d '(\{.*?\})'", README, re.DOTALL)
    return [block for block in blocks if '"instances"' in block] + curl_bodies


def test_every_request_in_the_readme_is_the_tested_one():
    requests = _requests()
    assert len(requests) >= 2
    for request in requests:
        assert "..." not in request
        assert json.loads(request) == TESTED_BODY


def test_images_the_readme_links_to_exist():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert "docs/images/drift-report-overview.png" in images
    assert "docs/images/drift-report-card.png" in images
    for image in images:
        assert (ROOT / image).is_file(), image
