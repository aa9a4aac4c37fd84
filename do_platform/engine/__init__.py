"""The Pulumi engine on this machine, offline: tooling around the program, not part of it.

- `status`: what the engine cache holds (CLI, Python language host, DigitalOcean provider plugin) and the
  environment that runs it offline;
- `build`: provides each part (vendor release, Go modules, or the source snapshots in ../shared/engine-src);
- `local_stack`: a stack through the real engine against the local API emulator (`make up-local`).

    python -m do_platform.engine build|status|env     # `make engine` runs `build`
    python -m do_platform.engine.local_stack          # `make up-local`
"""
