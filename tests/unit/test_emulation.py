"""Reading binfmt_misc registrations: when the arm64 tier can run, and the line it skips with."""

from pathlib import Path

import pytest

from sklambda_local import emulation
from sklambda_local.emulation import AARCH64_MAGIC, emulation_problem

MASK = "ffffffffffffff00fffffffffffffffffeffffff"


def _register(directory: Path, name: str, *, enabled: bool = True, flags: str = "PF", magic=None):
    (directory / name).write_text(
        f"{'enabled' if enabled else 'disabled'}\n"
        f"interpreter /usr/libexec/qemu-binfmt/{name}\n"
        f"flags: {flags}\noffset 0\nmagic {magic or AARCH64_MAGIC}\nmask {MASK}\n"
    )


@pytest.fixture
def binfmt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(emulation, "host_architecture", lambda: "x86_64")
    (tmp_path / "register").write_text("")
    (tmp_path / "status").write_text("enabled\n")
    return tmp_path


def test_an_enabled_aarch64_emulator_with_the_fix_binary_flag_is_enough(binfmt: Path):
    _register(binfmt, "qemu-arm", magic="7f454c4601010100000000000000000002002800")
    _register(binfmt, "qemu-aarch64")
    assert emulation_problem(binfmt) is None


def test_any_registration_name_counts_by_its_magic(binfmt: Path):
    _register(binfmt, "aarch64-static")
    assert emulation_problem(binfmt) is None


@pytest.mark.parametrize(
    ("registration", "words"),
    [
        ({"enabled": False}, "no aarch64 emulator"),
        ({"flags": "P"}, "F flag"),
        ({"magic": "7f454c4602010100000000000000000002003e00"}, "no aarch64 emulator"),
    ],
)
def test_a_registration_that_cannot_serve_containers_is_named(binfmt: Path, registration, words):
    _register(binfmt, "qemu-aarch64", **registration)
    problem = emulation_problem(binfmt)
    assert problem is not None
    assert words in problem
    assert "\n" not in problem


def test_an_unmounted_binfmt_misc_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(emulation, "host_architecture", lambda: "x86_64")
    assert "not mounted" in (emulation_problem(tmp_path) or "")


def test_an_arm64_host_needs_no_emulation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(emulation, "host_architecture", lambda: "arm64")
    assert emulation_problem(tmp_path) is None
