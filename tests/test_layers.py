"""The code's layers run one way (scripts/check_layers.py): no cycle, no import upwards."""

import runpy
from pathlib import Path

CHECK = Path(__file__).resolve().parent.parent / "scripts" / "check_layers.py"


def test_no_import_cycle_and_no_import_against_the_layers():
    problems, _graph = runpy.run_path(str(CHECK))["check"]()

    assert problems == []


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path):
    layers = runpy.run_path(str(CHECK))
    app = tmp_path / "articles"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("def f():\n    from reviews import models\n")
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    (reviews / "__init__.py").write_text("")
    (reviews / "models.py").write_text("from articles import models\n")

    check = layers["check"]
    check.__globals__["ROOT"] = tmp_path
    check.__globals__["LAYERS"] = {"articles": "feature", "reviews": "feature"}
    problems, _graph = check()

    assert any("inside f()" in problem for problem in problems)
    assert any("articles must not depend on reviews" in problem for problem in problems)
    assert any("cycle between packages: articles -> reviews" in problem for problem in problems)
