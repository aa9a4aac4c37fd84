"""The Python language host the Pulumi engine talks to, for machines where the vendor's host cannot be had.

The engine starts ``pulumi-language-python <engine-address>`` (a wrapper that `make engine` installs next to
the CLI runs this module), reads the port we print, and calls the LanguageRuntime gRPC service. Each program
and each plugin (a policy pack, a plugin directory) runs in a fresh interpreter, as with the vendor's host, so
no module state leaks from one run into the next. The same module is that child's entry point
(``python -m do_platform.language_host exec ...``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import runpy
import signal
import subprocess
import sys
import threading
import traceback
from concurrent import futures
from importlib import metadata
from pathlib import Path

# The exit code by which a program says "the error is already reported to the engine": the engine then
# stops without adding an error of its own (the vendor's host uses the same number).
BAIL_EXIT_CODE = 32


def _python_for(options: dict, root: str) -> str:
    """The interpreter for a program: the project's `virtualenv` runtime option if set, else ours."""
    venv = options.get("virtualenv") if options else None
    if venv:
        base = Path(venv) if os.path.isabs(venv) else Path(root or ".") / venv
        candidate = base / "bin" / "python"
        if not candidate.exists():
            raise FileNotFoundError(
                f"runtime option virtualenv={venv!r} names no virtual environment: {candidate} is missing"
            )
        return str(candidate)
    return sys.executable


def _options_of(info) -> dict:
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(info.options) if info is not None and info.HasField("options") else {}


def _program_path(request) -> str:
    """Where the program is: the engine's ProgramInfo (newer engines) or the older `program` field."""
    info = request.info if request.HasField("info") else None
    if info is not None and info.program_directory:
        return os.path.normpath(os.path.join(info.program_directory, info.entry_point or "."))
    return os.path.abspath(os.path.join(request.pwd or ".", request.program or "."))


def required_plugins() -> list[tuple[str, str, str]]:
    """(name, version, server) of every resource plugin an installed Pulumi SDK package declares."""
    found: dict[str, tuple[str, str, str]] = {}
    for dist in metadata.distributions():
        for file in dist.files or ():
            if file.name != "pulumi-plugin.json":
                continue
            try:
                data = json.loads(file.read_text() or "{}")
            except (OSError, ValueError):
                continue
            if not data.get("resource"):
                continue
            name = data.get("name") or dist.metadata["Name"].removeprefix("pulumi-").removeprefix("pulumi_")
            version = data.get("version") or dist.version
            version = version if version.startswith("v") else f"v{version}"
            found[name] = (name, version, data.get("server", ""))
    return sorted(found.values())


def _servicer_class():
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

    class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
        def __init__(self, engine_address: str) -> None:
            self.engine_address = engine_address

        def Handshake(self, request, context):
            if request.engine_address:
                self.engine_address = request.engine_address
            return language_pb2.LanguageHandshakeResponse()

        def GetPluginInfo(self, request, context):
            return plugin_pb2.PluginInfo(version=_sdk_version())

        def GetRequiredPlugins(self, request, context):
            return language_pb2.GetRequiredPluginsResponse(
                plugins=[
                    plugin_pb2.PluginDependency(name=n, kind="resource", version=v, server=s)
                    for n, v, s in required_plugins()
                ]
            )

        def GetRequiredPackages(self, request, context):
            return language_pb2.GetRequiredPackagesResponse(
                packages=[
                    plugin_pb2.PackageDependency(name=n, kind="resource", version=v, server=s)
                    for n, v, s in required_plugins()
                ]
            )

        def InstallDependencies(self, request, context):
            # Dependencies come from the project's own setup (`make setup`), never from the engine.
            yield language_pb2.InstallDependenciesResponse(stdout=b"dependencies are installed by `make setup`\n")

        def RuntimeOptionsPrompts(self, request, context):
            return language_pb2.RuntimeOptionsResponse()

        def About(self, request, context):
            v = sys.version_info
            return language_pb2.AboutResponse(executable=sys.executable, version=f"{v.major}.{v.minor}.{v.micro}")

        def GetProgramDependencies(self, request, context):
            deps = sorted({(d.metadata["Name"], d.version) for d in metadata.distributions() if d.metadata["Name"]})
            return language_pb2.GetProgramDependenciesResponse(
                dependencies=[language_pb2.DependencyInfo(name=n, version=v) for n, v in deps]
            )

        def Cancel(self, request, context):
            return empty_pb2.Empty()

        def Run(self, request, context):
            info = request.info if request.HasField("info") else None
            options = _options_of(info)
            root = info.root_directory if info is not None else request.pwd
            try:
                python = _python_for(options, root)
            except FileNotFoundError as exc:
                return language_pb2.RunResponse(error=str(exc))
            program = _program_path(request)
            args = [
                python, "-u", "-m", "do_platform.language_host", "exec",
                "--project", request.project, "--stack", request.stack,
                "--organization", request.organization or "organization",
                "--monitor", request.monitor_address,
                "--engine", self.engine_address,
                "--parallel", str(request.parallel or 1),
                "--root", root or "",
                program, *request.args,
            ]  # fmt: skip
            if request.dryRun:
                args.insert(args.index(program), "--dry-run")
            env = dict(os.environ)
            env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
            env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
            proc = subprocess.run(args, cwd=request.pwd or None, env=env, check=False)
            if proc.returncode == 0:
                return language_pb2.RunResponse()
            if proc.returncode == BAIL_EXIT_CODE:
                return language_pb2.RunResponse(bail=True)
            return language_pb2.RunResponse(error=f"python program {program} exited with code {proc.returncode}")

        def RunPlugin(self, request, context):
            info = request.info if request.HasField("info") else None
            options = _options_of(info)
            directory = info.program_directory if info is not None else request.pwd
            try:
                python = _python_for(options, info.root_directory if info is not None else directory)
            except FileNotFoundError as exc:
                yield language_pb2.RunPluginResponse(stderr=f"{exc}\n".encode())
                yield language_pb2.RunPluginResponse(exitcode=1)
                return
            if request.kind == "analyzer":
                # A policy pack: the SDK's analyzer entry point serves the pack in that directory.
                args = [python, "-u", "-m", "pulumi.policy", *request.args, directory]
            else:
                args = [python, "-u", directory, *request.args]
            env = dict(os.environ)
            env.update(item.split("=", 1) for item in request.env if "=" in item)  # "KEY=VALUE" strings
            yield from _stream_process(args, request.pwd or directory, env, language_pb2.RunPluginResponse, context)

    return LanguageHost, grpc, language_pb2_grpc


def _stream_process(args, cwd, env, message, context):
    """Run a plugin process and relay its stdout/stderr chunks, then its exit code, as they come."""
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: queue.Queue = queue.Queue()

    def pump(stream, field):
        for chunk in iter(lambda: stream.read1(65536), b""):
            chunks.put((field, chunk))
        chunks.put((field, None))

    for stream, field in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
        threading.Thread(target=pump, args=(stream, field), daemon=True).start()
    context.add_callback(proc.kill)  # the engine cancelling the stream ends the plugin
    open_streams = 2
    while open_streams:
        field, chunk = chunks.get()
        if chunk is None:
            open_streams -= 1
        else:
            yield message(**{field: chunk})
    yield message(exitcode=proc.wait())


def _sdk_version() -> str:
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def serve(engine_address: str) -> None:
    """Serve the LanguageRuntime service on a loopback port and print the port for the engine."""
    servicer_class, grpc, language_pb2_grpc = _servicer_class()
    from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=_GRPC_CHANNEL_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(servicer_class(engine_address), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    # The engine ends its plugins with SIGINT/SIGTERM once a command is done: that is a normal exit.
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=0.5)


def run_program(ns: argparse.Namespace) -> int:
    """Run one Pulumi program in this interpreter, connected to the engine's resource monitor."""
    import grpc
    import pulumi
    from pulumi.errors import RunError
    from pulumi.runtime import settings
    from pulumi.runtime.config import get_config_env, set_all_config

    settings.reset_options(
        project=ns.project,
        stack=ns.stack,
        root_directory=ns.root or None,
        parallel=ns.parallel,
        engine_address=ns.engine,
        monitor_address=ns.monitor,
        preview=ns.dry_run,
        organization=ns.organization,
    )
    secret_keys = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    set_all_config(get_config_env(), secret_keys)

    program = ns.program
    program_dir = program if os.path.isdir(program) else os.path.dirname(program)
    sys.path.insert(0, program_dir)
    sys.argv = [program, *ns.program_args]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(futures.ThreadPoolExecutor(max_workers=max(ns.parallel, 1) * 4))
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: runpy.run_path(program, run_name="__main__")))
    except RunError as exc:
        pulumi.log.error(str(exc))
        return BAIL_EXIT_CODE
    except KeyboardInterrupt:  # the engine stopped the run (its own error says why): no traceback noise
        return BAIL_EXIT_CODE
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.UNAVAILABLE:  # the engine is shutting down and has said why
            return 0
        pulumi.log.error(f"RPC error: {exc.details()}")
        return BAIL_EXIT_CODE
    except Exception:  # noqa: BLE001 -- any program failure is reported to the engine, then we bail
        pulumi.log.error(f"Program failed with an unhandled exception:\n{traceback.format_exc()}")
        return BAIL_EXIT_CODE
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["exec"]:
        parser = argparse.ArgumentParser(prog="do_platform.language_host exec")
        for flag in ("--project", "--stack", "--organization", "--monitor", "--engine", "--root"):
            parser.add_argument(flag, required=flag != "--root", default="")
        parser.add_argument("--parallel", type=int, default=1)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("program")
        parser.add_argument("program_args", nargs=argparse.REMAINDER)
        return run_program(parser.parse_args(argv[1:]))
    # Host mode: the engine passes flags (-root=..., -tracing=...) and the engine address last.
    positional = [a for a in argv if not a.startswith("-")]
    if not positional:
        print("usage: pulumi-language-python [flags] ENGINE_ADDRESS", file=sys.stderr)
        return 2
    serve(positional[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
