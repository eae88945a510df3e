"""The ``reelgraph`` command: one sub-command for each function of the Python API.

Errors the user can fix (:class:`reelgraph.errors.ReelgraphError`) print one line
on stderr and exit non-zero; they never show a traceback.  The commands live
in one module a topic (:mod:`.data`, :mod:`.analysis`, :mod:`.views`,
:mod:`.neo4j`); their shared options are in :mod:`._options`.
"""

from __future__ import annotations

import os
import sys

import click
from reelgraph.cli import analysis, data, neo4j, views
from reelgraph.errors import ReelgraphError

__all__ = ["main"]

#: The sections of ``reelgraph --help``, each command listed once, in this order.
SECTIONS = (
    ("Start here", ("demo",)),
    ("Bring data in", ("parse", "download", "load", "stats", "synth")),
    ("Explore", ("path", "bacon", "centres", "similar", "clusters", "show", "export")),
    ("Neo4j", ("neo4j", "cypher", "mirror")),
)


#: Commands that answer from the store's graph index and exit.  They allocate a few large arrays once,
#: and numpy's default advice for those (transparent huge pages) has the kernel compact memory at
#: their first touch: on a whole-IMDb store that cost `show` and `export` 0.8-1 s of 1.5 s and
#: `bacon` 0.25 s (benchmarks/README.md).  Loads, `similar` and the long analyses keep the advice:
#: their big, randomly probed arrays gain from huge pages (a 2M-title load is 2 % slower without).
_SHORT_COMMANDS = ("path", "bacon", "stats", "show", "export")


class _Group(click.Group):
    """Turns the errors a user can fix into one line and an exit code."""

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if name in _SHORT_COMMANDS and "numpy" not in sys.modules:  # (read when numpy is imported)
            os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
        return name, command, rest

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReelgraphError as exc:
            click.echo(f"reelgraph: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # The reader went away (`reelgraph ... | head`): stop quietly, as
            # `cat` does; stdout goes to /dev/null so the exit flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for such a pipe
        except OSError as exc:
            # A file the user named cannot be written or read (permissions, disk full, ...).
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"reelgraph: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("reelgraph: interrupted", err=True)
            ctx.exit(130)

    def format_commands(self, ctx, formatter):
        # One section a topic instead of click's single alphabetical list.
        for title, names in SECTIONS:
            rows = [(name, self.commands[name].get_short_help_str(limit=150)) for name in names]
            with formatter.section(title):
                formatter.write_dl(rows)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="reelgraph")
def main():
    """reelgraph: explore how films and the people who make them connect.

    The graph lives in a local store (Parquet; --store or $REELGRAPH_STORE)
    and, when NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD are set, in Neo4j too.
    Start with 'reelgraph demo'; 'reelgraph COMMAND --help' says more.
    """


for _module in (data, analysis, views, neo4j):
    for _name in _module.__all__:
        main.add_command(getattr(_module, _name))

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
