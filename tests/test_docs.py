"""Every command and option is documented: in its help text and in the README's tour.

A command without help, an option without help, or a command the README's
tour does not show fails here (as sqlite-utils' tests/test_docs.py does).
"""

import re
from pathlib import Path

import click
import pytest

from reelgraph.cli import SECTIONS, main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
TOUR = README.split("## A tour of the commands", 1)[1].split("\n## ", 1)[0]


def _commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = list(_commands(main))
IDS = [" ".join(path) for path, _ in COMMANDS]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_has_help(path, command):
    assert (command.help or "").strip(), f"reelgraph {' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert (param.help or "").strip(), f"reelgraph {' '.join(path)} {param.opts[0]} has no help text"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_is_in_the_readme_tour(path, command):
    pattern = r"reelgraph " + r"\s+".join(map(re.escape, path)) + r"\b"
    if len(path) > 1:  # a sub-command may be listed with its siblings: `reelgraph neo4j start|stop`
        pattern = rf"reelgraph {re.escape(path[0])} (?:[\w-]+\|)*{re.escape(path[1])}\b"
    assert re.search(pattern, TOUR), f"the README's tour does not show 'reelgraph {' '.join(path)}'"


def test_help_lists_each_command_once():
    listed = [name for _, names in SECTIONS for name in names]
    assert sorted(listed) == sorted(main.commands)
    assert len(listed) == len(set(listed))
    text = main.get_help(click.Context(main, info_name="reelgraph"))
    for name in main.commands:
        assert len(re.findall(rf"^\s+{name}\s", text, flags=re.MULTILINE)) == 1, name


@pytest.mark.parametrize("name", sorted(name for name, command in main.commands.items()
                                         if not isinstance(command, click.Group)))
def test_every_command_takes_json(name):
    # Every command prints a result (a count, a file written, rows), so each takes --json.
    assert any(p.name == "as_json" for p in main.commands[name].params), f"reelgraph {name} has no --json"


def test_the_readmes_links_to_files_of_the_repository_exist():
    # Screenshots, benchmarks, notebooks: a link the README shows must not lead nowhere.
    root = Path(__file__).resolve().parents[1]
    links = re.findall(r"\]\((?!https?://|#)([^)\s]+)\)", README)
    assert "docs/screenshots/path.png" in links
    missing = [link for link in links if not (root / link.split("#")[0]).exists()]
    assert missing == []
