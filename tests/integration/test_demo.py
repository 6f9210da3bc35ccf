"""`make demo`, the README's first command, runs to its end: every step, nothing set by hand."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = 11


def test_the_demo_runs_every_step_to_the_end():
    # When the demo runs as `make demo` runs it
    finished = subprocess.run(
        [sys.executable, "-m", "sklambda_local.demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    # Then it exits 0 having shown every step, each alarm's trigger being its real reason
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    output = finished.stdout
    for step in range(1, STEPS + 1):
        assert f"\n[{step}] " in output, f"step {step} missing"
    assert output.count("the trigger line is") == 2
    assert re.search(r"champion is \S+ again", output), "no rollback shown"
    assert "Demo finished." in output
    assert "Traceback" not in finished.stderr
