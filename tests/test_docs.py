"""README.md and docs/ run as written: every shell command in their code blocks names an existing make target,
module, ``do-platform`` command and flag, through the repository's ``.venv`` (a reader has no activated venv);
inline ``do-platform ...`` / ``make ...`` references name existing commands and flags too; and the generated
topology diagrams in the docs are what ``do-platform plan --graph`` prints now."""

from __future__ import annotations

import functools
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from do_platform.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
SHELL = {"sh", "bash", "shell", "console"}
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
VENV_CLI, VENV_PYTHON = ".venv/bin/do-platform", ".venv/bin/python"
# Commands this repository does not provide: the reader installs them (pulumi, doctl, gh, go) or has them.
# do-platform-selfcheck is the script cloud-init installs on each web droplet (docs/operations.md).
EXTERNAL = {"pulumi", "curl", "doctl", "git", "go", "cd", "export", "jq", "gh", "do-platform-selfcheck", "mkdir",
            "cat", "tofu", "source"}
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def code_blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(page.read_text())]


def shell_commands(body: str) -> list[str]:
    """One string per command: continuation lines joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", body)
    out, pending = [], ""
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#\s.*$", "", line).strip()
        if not line or line.startswith("#"):
            continue
        line = f"{pending} {line}".strip() if pending else line
        if line.count("'") % 2:  # a quoted string going on over the next line
            pending = line
            continue
        pending = ""
        out.extend(part.strip() for part in re.split(r"\s&&\s|\s\|\s|;\s", line) if part.strip())
    return out


def words(command: str) -> list[str]:
    """The command's words, the usage brackets (``[--json]``, ``[--state-file F]``) opened."""
    try:
        parts = shlex.split(command)
    except ValueError:
        parts = command.split()
    return [w.strip("[]") for w in parts if w.strip("[]") and w not in ("|",)]


@functools.cache
def makefile_targets() -> tuple[set[str], str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M)), text


@functools.cache
def cli_tree():
    """The CLI's click tree (typer carries its own click: groups and options are recognised by attribute)."""
    return typer.main.get_command(app)


def is_group(command) -> bool:
    return hasattr(command, "commands")


def options_of(command) -> dict[str, bool]:
    """``{--flag: takes a value}`` of a click command."""
    out = {}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            for name in (*param.opts, *param.secondary_opts):
                out[name] = not param.is_flag
    return out


def check_cli(args: list[str]) -> list[str]:
    """Problems of ``do-platform ARGS``: unknown command, or a flag the command does not take."""
    group = cli_tree()
    command = group
    i, path = 0, ["do-platform"]
    while i < len(args):
        word = args[i]
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            opts = options_of(command)
            if flag in ("--help", "-h"):
                i += 1
                continue
            if flag not in opts:
                return [f"{' '.join(path)} has no option {flag}"]
            i += 2 if opts[flag] and "=" not in word else 1
            continue
        if is_group(command):
            if word not in command.commands:
                return [f"{' '.join(path)} has no command {word!r}"]
            command = command.commands[word]
            path.append(word)
        i += 1  # a value or an argument
    if is_group(command) and command is not group:
        return [f"{' '.join(path)} needs a sub-command"]
    return []


@functools.cache
def module_help(module: str) -> str:
    proc = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, check=False)
    return proc.stdout + proc.stderr


def check_module(module: str, rest: list[str]) -> list[str]:
    if importlib.util.find_spec(module.split(".")[0]) is None or importlib.util.find_spec(module) is None:
        return [f"no module {module}"]
    if module == "pytest":
        missing = [w for w in rest if not w.startswith("-") and "<" not in w
                   and not (ROOT / w.split("::")[0]).exists()]
        return [f"pytest path {w} does not exist" for w in missing]
    if module == "do_platform":
        return check_cli(rest)
    usage = module_help(module)
    problems = [f"python -m {module} has no option {f}" for f in FLAG.findall(" ".join(rest)) if f not in usage]
    choices = re.search(r"\{([a-z,]+)\}", usage)
    if choices and rest and not rest[0].startswith("-"):
        problems += [f"python -m {module} has no command {word!r}" for word in rest[0].split("|")
                     if word not in choices.group(1).split(",")]
    return problems


def check_make(rest: list[str]) -> list[str]:
    targets, text = makefile_targets()
    problems = []
    for word in rest:
        if "=" in word:
            var = word.split("=", 1)[0]
            if f"$({var})" not in text:
                problems.append(f"the Makefile does not read {var}")
        elif word not in targets:
            problems.append(f"no make target {word!r}")
    return problems


def check_command(command: str, *, in_block: bool) -> list[str]:
    """Problems of one command; ``in_block``: copied into a shell as it stands, so through the venv."""
    ws = words(command)
    while ws and ASSIGNMENT.match(ws[0]):
        ws = ws[1:]
    if not ws:
        return []
    head, rest = ws[0], ws[1:]
    if head == "make":
        return check_make(rest)
    if head in (VENV_CLI, "do-platform"):
        venv = [f"{command!r}: run it as {VENV_CLI} (no venv is activated)"] if in_block and head != VENV_CLI else []
        return venv + check_cli(rest)
    if head in (VENV_PYTHON, "python", "python3") and rest[:1] == ["-m"] and len(rest) > 1:
        venv = ([f"{command!r}: run it as {VENV_PYTHON} -m ... (the system Python lacks the pinned packages)"]
                if in_block and head != VENV_PYTHON else [])
        return venv + check_module(rest[1], rest[2:])
    if head in (VENV_PYTHON, "python3") and rest and rest[0].endswith(".py"):
        return [] if (ROOT / rest[0]).is_file() else [f"no script {rest[0]}"]
    if head in EXTERNAL:
        return []
    return [f"{command!r}: {head!r} is neither this repository's nor a known external command"] if in_block else []


def block_commands() -> list[tuple[str, str]]:
    return [(f"{page.name}", cmd) for page in PAGES for lang, body in code_blocks(page) if lang in SHELL
            for cmd in shell_commands(body)]


def inline_commands() -> list[tuple[str, str]]:
    """Inline code that is a command of this repository: ``do-platform ...``, ``make ...``, ``python -m ...``."""
    out = []
    for page in PAGES:
        text = FENCE.sub("", page.read_text())
        for span in INLINE.findall(text):
            span = span.strip()
            if re.match(r"^(\.venv/bin/)?do-platform \S|^make [a-z]|^(\.venv/bin/)?python3? -m \w", span) \
                    and "..." not in span:
                out.append((page.name, span))
    return out


def test_the_pages_have_shell_blocks_to_check():
    assert len(block_commands()) > 20 and len(inline_commands()) > 10


@pytest.mark.parametrize("page, command", block_commands())
def test_a_code_block_command_runs_as_written(page, command):
    assert check_command(command, in_block=True) == [], page


@pytest.mark.parametrize("page, command", inline_commands())
def test_an_inline_command_names_what_exists(page, command):
    assert check_command(command, in_block=False) == [], page


@pytest.mark.parametrize("command, problem", [
    ("python -m emulator --port 9000", "the system Python"),
    ("do-platform plan --stack dev", "no venv is activated"),
    (".venv/bin/do-platform plan --stak dev", "has no option --stak"),
    (".venv/bin/do-platform registry clean --registry r", "has no command 'clean'"),
    (".venv/bin/do-platform --token x promote --from dev --to staging --yes-really", "no option --yes-really"),
    (".venv/bin/python -m emulator --prot 1", "has no option --prot"),
    (".venv/bin/python -m do_platform.engine stats", "no command 'stats'"),
    (".venv/bin/python -m pytest tests/no_such_test.py", "does not exist"),
    ("make plan STAK=prod", "does not read STAK"), ("make deploy", "no make target 'deploy'"),
    ("terraform apply", "neither this repository's"),
])
def test_the_checker_catches_what_a_reader_would_trip_on(command, problem):
    problems = check_command(command, in_block=True)
    assert any(problem in p for p in problems), problems


def test_the_checker_accepts_what_runs():
    for command in (".venv/bin/do-platform --api-url http://127.0.0.1:8089 --token x status --stack local --json",
                    ".venv/bin/do-platform registry cleanup --registry r --keep-last 5 --apply",
                    ".venv/bin/python -m emulator --port 9000 [--state-file F]", "make emulator PORT=9000",
                    ".venv/bin/python -m do_platform.engine status", "make plan STACK=prod"):
        assert check_command(command, in_block=True) == [], command


# --- generated diagrams ------------------------------------------------------------------------------------

GENERATED = re.compile(r"<!-- generated: do-platform (plan [^>]*?) -->\n```(\w+)\n(.*?)```\n<!-- end generated -->",
                       re.S)


def generated_blocks() -> list[tuple[str, str, str]]:
    return [(page.name, m.group(1), m.group(3)) for page in PAGES for m in GENERATED.finditer(page.read_text())]


def test_the_docs_carry_the_dev_and_prod_diagrams():
    found = {args for _, args, _ in generated_blocks()}
    assert {"plan --stack dev --graph", "plan --stack prod --graph"} <= found


@pytest.mark.parametrize("page, args, body", generated_blocks())
def test_a_generated_diagram_in_the_docs_is_what_the_command_prints_now(page, args, body):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, args.split())
    assert result.exit_code == 0, result.output
    assert body == result.stdout, (f"{page}: the diagram of `do-platform {args}` is out of date; replace the block "
                                   f"with the output of `.venv/bin/do-platform {args}`")
