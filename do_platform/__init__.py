"""do-platform: the command-line tool, stack config, operations on PyDo, and the Pulumi program glue."""
