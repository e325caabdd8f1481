"""mkdocs hooks of the nlpzero docs site.

- ``<!-- nlpzero-help: COMMAND -->`` in a page is replaced by the output of ``nlpzero COMMAND
  --help`` (``<!-- nlpzero-help -->`` alone: the top-level help), rendered from the click
  commands at build time, so the command-line reference cannot drift from the program; a
  command without a section in cli.md gets one appended.
- ``<!-- nlpzero-api: NAME, NAME -->`` is replaced by a ``::: module.NAME`` block for each public
  name, the module read from ``nlpzero._EXPORTS`` (so an API page follows a name when it moves
  to another module); ``<!-- nlpzero-api-rest -->`` documents every public name no API page
  claims, so a new public name is never missing from the reference.
- Pages that other lines of work add (``OPTIONAL_PAGES``) are dropped from the navigation, with
  a note in the build log, until their file exists; every other missing page stays an error
  under ``mkdocs build --strict``.
"""
from __future__ import annotations

import ast
import glob
import logging
import os
import re
import sys

log = logging.getLogger("mkdocs.hooks.nlpzero")

OPTIONAL_PAGES = {"segmentation-joint.md"}
_HELP = re.compile(r"<!--\s*nlpzero-help(?::\s*([\w-]+))?\s*-->")
_API = re.compile(r"<!--\s*nlpzero-api:\s*([\w\s,]+?)\s*-->")
_API_REST = re.compile(r"<!--\s*nlpzero-api-rest\s*-->")
_state: dict = {}


def _exports(root: str) -> dict:
    """``nlpzero._EXPORTS`` (public name -> defining module), read without importing the package."""
    with open(os.path.join(root, "nlpzero", "__init__.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets):
            return ast.literal_eval(node.value)
    raise RuntimeError("nlpzero/__init__.py has no _EXPORTS table")


def _api_block(names) -> str:
    exports = _state["exports"]
    out = []
    for name in names:
        if name not in exports:
            raise RuntimeError(f"API page names {name!r}, which nlpzero does not export")
        out.append(f"::: {exports[name]}.{name}\n")
    return "\n".join(out)


def _split(names: str) -> list:
    return [n for n in re.split(r"[\s,]+", names) if n]


def _prune(nav, docs_dir):
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, value), = item.items()
            if isinstance(value, list):
                out.append({title: _prune(value, docs_dir)})
                continue
            if value in OPTIONAL_PAGES and not os.path.exists(os.path.join(docs_dir, value)):
                log.info("nav: %s is not written yet; left out", value)
                continue
        out.append(item)
    return out


def on_config(config, **kwargs):
    # document the checkout being built (also when nlpzero is not installed)
    root = os.path.dirname(os.path.abspath(config["config_file_path"]))
    if root not in sys.path:
        sys.path.insert(0, root)
    config["nav"] = _prune(config["nav"], config["docs_dir"])
    _state["exports"] = _exports(root)
    claimed, whole_modules = set(), set()
    for path in glob.glob(os.path.join(config["docs_dir"], "api", "*.md")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in _API.finditer(text):
            claimed.update(_split(m.group(1)))
        whole_modules.update(re.findall(r"^:::\s*([\w.]+)\s*$", text, re.M))  # a module documented whole
    claimed.update(n for n, module in _state["exports"].items() if module in whole_modules)
    _state["rest"] = [n for n in _state["exports"] if n not in claimed]
    return config


def _help(command: str | None) -> str:
    from click.testing import CliRunner

    from nlpzero.cli import main

    args = ([command] if command else []) + ["--help"]
    result = CliRunner().invoke(main, args, prog_name="nlpzero", terminal_width=100)
    if result.exit_code != 0:
        raise RuntimeError(f"nlpzero {' '.join(args)} failed: {result.output}")
    return "```text\n" + result.output.rstrip() + "\n```"


def on_page_markdown(markdown, page, config, files, **kwargs):
    if page.file.src_uri == "cli.md":
        # every command gets a section, also one added after this page was last edited
        from nlpzero.cli import COMMANDS

        documented = {m.group(1) for m in _HELP.finditer(markdown)}
        for name, (_, short) in COMMANDS.items():
            if name not in documented:
                markdown += f"\n\n## {name}\n\n{short}\n\n<!-- nlpzero-help: {name} -->\n"
    markdown = _API.sub(lambda m: _api_block(_split(m.group(1))), markdown)
    if _state["rest"]:
        rest = "## Other public names\n\n" + _api_block(_state["rest"])
    else:
        rest = ""
    markdown = _API_REST.sub(lambda m: rest, markdown)
    return _HELP.sub(lambda m: _help(m.group(1)), markdown)
