"""Apply's confirmation prompt when no answer comes: Ctrl+C, and the end of its input.

The real entry point runs in a subprocess whose stdin, stdout and stderr are a
pseudo-terminal (so apply asks), as a person's shell would run it. The child makes the
terminal its controlling one, so the ^C written to the terminal is turned into SIGINT by the
terminal itself, as when a person presses Ctrl+C; ^D at the start of a line is the end of
input. Either way nothing is written: the embedded CRM is created by its first write, so its
file must not exist afterwards.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from quotesync_gitops.cli.apply_cmd import NO_ANSWER
from tests.reliability.helpers import copy_examples

#: Takes the pseudo-terminal on stdin as the controlling terminal of the new session (opening
#: a terminal without O_NOCTTY does that on Linux), then runs the real entry point.
AT_A_TERMINAL = """
import os, runpy, signal, sys
os.close(os.open(os.ttyname(0), os.O_RDWR))
# A shell starts a job with Ctrl+C at its default; pytest-xdist's workers ignore SIGINT, and
# an ignored signal stays ignored across exec, so put the default back as a shell would.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["quotesync", *sys.argv[1:]]
runpy.run_module("quotesync_gitops", run_name="__main__")
"""
PROMPT = b"Apply these changes? [y/N]:"
#: What the terminal shows once the prompt waits for a key: click echoes PROMPT, then
#: ``input(" ")`` writes the space and starts reading.
WAITING = PROMPT + b" "
#: A person presses the key after seeing the prompt, not in the microseconds between
#: ``input()`` writing its space and starting to read: a SIGINT that lands in that gap is
#: handled only once the read returns (CPython's stdio prompt), so the test waits as a
#: person would.
REACTION_SECONDS = 0.3
CANARY = "prompt-canary-Qm3"
KEYS = {"ctrl-c": b"\x03", "ctrl-d": b"\x04", "no": b"n\n"}


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no prompt; the terminal showed: {seen.decode(errors='replace')}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"ended before the prompt: {seen.decode(errors='replace')}")
            seen += chunk
    return seen


def _drain(fd: int) -> bytes:
    seen = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _answer_with(tmp_path: Path, key: str) -> tuple[int, str]:
    """`quotesync apply` at a terminal, `key` pressed at the prompt: exit code, what came after."""
    manifests = copy_examples(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTESYNC_")}
    env.update({"QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}", "NO_COLOR": "1"})
    env["DEMO_ERP_PASSWORD"] = CANARY
    main, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", AT_A_TERMINAL, "apply", str(manifests)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        shown = _read_until(main, WAITING, 120)
        assert b"Plan: 36 to create" in shown  # it asks after showing the plan
        time.sleep(REACTION_SECONDS)
        os.write(main, KEYS[key])
        code = process.wait(timeout=60)
        after = _drain(main)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)
    text = (shown + after).decode(errors="replace")
    assert CANARY not in text
    return code, text[text.index(PROMPT.decode()) :]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def test_ctrl_c_at_the_prompt_is_interrupted_and_exit_130(tmp_path: Path) -> None:
    code, after = _answer_with(tmp_path, "ctrl-c")
    assert code == 130, after
    assert _lines(after) == ["Apply these changes? [y/N]: ^C", "interrupted"]
    assert not (tmp_path / "crm.sqlite").exists()


def test_end_of_input_at_the_prompt_is_a_refusal(tmp_path: Path) -> None:
    code, after = _answer_with(tmp_path, "ctrl-d")
    assert code == 1, after
    assert _lines(after) == ["Apply these changes? [y/N]:", f"error: {NO_ANSWER}"]
    assert "no answer" in NO_ANSWER and "use --auto-approve" in NO_ANSWER
    assert not (tmp_path / "crm.sqlite").exists()


def test_an_answer_no_still_applies_nothing(tmp_path: Path) -> None:
    """The control: the same terminal and a real answer keep the message and exit 1."""
    code, after = _answer_with(tmp_path, "no")
    assert code == 1, after
    assert _lines(after) == ["Apply these changes? [y/N]: n", "Nothing applied."]
    assert not (tmp_path / "crm.sqlite").exists()
