"""The ``tenkan`` command line. Each subcommand is a module of this package with
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args, ctx) -> int``;
:mod:`tenkan.face.cli.main` wires them together. Commands only map user input onto
config objects and call library functions."""
