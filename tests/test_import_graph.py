"""The product's imports, read from the source (imports inside functions count): no circles, and arrows that run
one way: recsite/ (settings, URLs, the Celery app) imports no app of the project, the catalog (movies/) knows
nothing of the models (ml/), and what web processes use (ml/serving/) nothing of training (ml/training/)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "api", "ml", "movies", "recsite", "synthetic", "web", "work"]


def product_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Each product module's imports of other product modules: `from a.b import c` is a.b.c when c is a module."""
    modules = product_modules()

    def module_of(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {module_of(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                imported |= {module_of(f"{base}.{alias.name}") for alias in node.names}
        graph[name] = imported - {None, name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def imports_of(prefix: str, graph: dict[str, set[str]], forbidden) -> list[str]:
    return sorted(f"{name} imports {target}" for name, targets in graph.items()
                  if name == prefix or name.startswith(prefix + ".") for target in targets if forbidden(target))


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "ml.training.trainers" in graph["ml.tasks"]  # imported in the task's body
    assert "movies.importers.wikipedia.titles" in graph["movies.importers.wikipedia.wikitext"]


def test_no_product_module_imports_itself_through_others():
    assert circles(import_graph()) == []


def test_the_circle_check_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_recsite_imports_no_app_of_the_project():
    assert imports_of("recsite", import_graph(), lambda target: target.split(".")[0] != "recsite") == []


def test_the_catalog_imports_nothing_of_the_models():
    assert imports_of("movies", import_graph(), lambda target: target.split(".")[0] == "ml") == []


def test_serving_imports_nothing_of_training():
    assert imports_of("ml.serving", import_graph(), lambda target: target.split(".")[:2] == ["ml", "training"]) == []
