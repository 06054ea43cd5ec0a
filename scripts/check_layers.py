"""Check that Newsroom's imports run one way: no cycle, no forbidden direction.

Reads every Python file of the project's packages with ``ast`` (nothing is imported or run)
and follows every import of a first-party module, at the top of a file or inside a function.
It fails (exit status 1, one line per problem) on:

- an import cycle between two or more files, or between two or more packages;
- an import against the layers: the project package (``newsroom``) on top, imported by no
  one; the feature apps in the middle; the infrastructure at the bottom, importing no
  feature app. Among the feature apps, ``images`` and ``embeds`` (media that stories use)
  import none of the story apps, ``articles`` imports none of ``reviews``, ``editorial``
  and ``readership``, and the first two import neither each other; ``api`` and ``webhooks`` (outlets
  for partners) read the story apps, which import neither, and ``api`` never ``webhooks``;
  ``newsletters`` reads the stories and no other feature app imports it; ``datarights``
  (readers' data) reads ``reviews``, ``newsletters`` and ``editorial``, and no app imports it;
  no feature app imports ``accounts`` (the team's accounts);
- a first-party import inside a function, outside an ``AppConfig.ready()`` (where Django
  wants app modules imported): it would hide a dependency from the top of the file.

    python scripts/check_layers.py          # CI runs it; prints the layers when all is well
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROJECT = "project"
FEATURE = "feature"
INFRASTRUCTURE = "infrastructure"
LAYERS = {
    "newsroom": PROJECT,
    "images": FEATURE,
    "embeds": FEATURE,
    "articles": FEATURE,
    "editorial": FEATURE,
    "reviews": FEATURE,
    "api": FEATURE,
    "webhooks": FEATURE,
    "accounts": FEATURE,
    "twofactor": FEATURE,
    "pages": FEATURE,
    "readership": FEATURE,
    "newsletters": FEATURE,
    "datarights": FEATURE,
    "audit": INFRASTRUCTURE,
    "pagecache": INFRASTRUCTURE,
    "serving": INFRASTRUCTURE,
    "worker": INFRASTRUCTURE,
}
# Feature apps that must not import one another, in the direction given.
FORBIDDEN = {
    *(
        (media, story_app)
        for media in ("images", "embeds")
        for story_app in ("articles", "reviews", "editorial", "readership")
    ),
    ("articles", "reviews"),
    ("articles", "editorial"),
    # The footer's pages (About, Privacy…) use the stories' sanitiser; stories know nothing
    # of them.
    ("articles", "pages"),
    # Read counts attach to stories from outside, through template tags: articles never knows.
    ("articles", "readership"),
    ("reviews", "editorial"),
    ("editorial", "reviews"),
    # The content API and webhooks read the story apps; nothing below them reads back. The
    # webhooks' payloads may use the API's representations, never the other way round.
    *(
        (lower, outlet)
        for lower in ("images", "embeds", "articles", "reviews", "editorial", "readership")
        for outlet in ("api", "webhooks")
    ),
    ("api", "webhooks"),
    # Newsletters read the stories; no other feature app imports them.
    *(
        (other, "newsletters")
        for other in (
            *("images", "embeds", "articles", "reviews", "editorial", "readership", "pages"),
            *("api", "webhooks", "accounts", "twofactor"),
        )
    ),
    # Readers' data sits above the apps whose data it gathers: reviews and newsletters say
    # what they hold in a personal_data module of their own, and nothing imports datarights.
    *(
        (other, "datarights")
        for other in (
            *("images", "embeds", "articles", "reviews", "editorial", "readership", "pages"),
            *("api", "webhooks", "accounts", "twofactor", "newsletters"),
        )
    ),
    # The team's accounts (the user admin, invitations, password reset) are the project's
    # to install: no other app depends on them.
    *(
        (other, "accounts")
        for other in (
            *("images", "embeds", "articles", "editorial", "reviews", "readership"),
            *("api", "webhooks", "twofactor", "newsletters"),
        )
    ),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[module_name(path)] = path
    return modules


class Imports(ast.NodeVisitor):
    """Collect (imported name, line, inside which function or None) from one file."""

    def __init__(self, module: str, is_package: bool):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: list[tuple[str, int, str | None]] = []
        self.functions: list[str] = []
        self.classes: list[str] = []

    def visit_ClassDef(self, node):
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def where(self) -> str | None:
        return self.functions[-1] if self.functions else None

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((alias.name, node.lineno, self.where()))

    def visit_ImportFrom(self, node):
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - node.level + 1]
            prefix = ".".join(filter(None, [*base, node.module or ""]))
        else:
            prefix = node.module or ""
        for alias in node.names:
            # "from pkg import module" imports the module; "from module import name" the module.
            self.found.append((f"{prefix}.{alias.name}", node.lineno, self.where()))


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """Return the first-party module *name* refers to (itself, or the nearest parent)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the cycles of *graph*: its strongly connected parts of two or more nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check() -> tuple[list[str], dict[str, set[str]]]:
    """Return the problems found and the graph of packages."""
    modules = project_modules()
    problems = []
    file_graph: dict[str, set[str]] = defaultdict(set)
    app_graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        visitor = Imports(module, path.name == "__init__.py")
        visitor.visit(tree)
        app = module.split(".")[0]
        for name, line, function in visitor.found:
            target = resolve(name, modules)
            if target is None or target == module:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            if function is not None and not (path.name == "apps.py" and function == "ready"):
                problems.append(
                    f"{where}: imports {target} inside {function}(): import it at the top"
                )
            file_graph[module].add(target)
            target_app = target.split(".")[0]
            if target_app == app:
                continue
            app_graph[app].add(target_app)
            problem = direction_problem(app, target_app)
            if problem:
                problems.append(f"{where}: {app} imports {target}: {problem}")
    for cycle in strongly_connected(file_graph):
        problems.append("import cycle between files: " + " -> ".join(cycle))
    for cycle in strongly_connected(app_graph):
        problems.append("import cycle between packages: " + " -> ".join(cycle))
    return problems, app_graph


def direction_problem(app: str, target: str) -> str | None:
    if LAYERS[target] == PROJECT:
        return "nothing imports the project package"
    if LAYERS[app] == INFRASTRUCTURE and LAYERS[target] != INFRASTRUCTURE:
        return "infrastructure imports no feature app"
    if (app, target) in FORBIDDEN:
        return f"{app} must not depend on {target}"
    return None


def main() -> int:
    problems, app_graph = check()
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} layering problem(s).")
        return 1
    for layer in (PROJECT, FEATURE, INFRASTRUCTURE):
        for app in (name for name, kind in LAYERS.items() if kind == layer):
            uses = ", ".join(sorted(app_graph.get(app, ()))) or "nothing of ours"
            print(f"{layer:<15} {app:<10} imports {uses}")
    print("Layers: no cycle, every import runs down.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
