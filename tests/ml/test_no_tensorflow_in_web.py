"""Web processes never import TensorFlow: serving uses stored embeddings with numpy."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_MODULES = ["recsite.wsgi", "recsite.urls", "web.views.home", "web.views.browse", "web.views.movie",
               "web.views.picks", "web.views.ratings", "web.selectors", "web.templatetags.web", "accounts.views",
               "movies.admin", "ml.admin", "ml.versions", "ml.training.data", "ml.serving.index", "ml.runs",
               "ml.training.trainers", "ml.serving.active", "ml.serving.recommendations", "ml.serving.fold_in",
               "ml.training.projector", "ml.charts"]


def test_loading_the_web_application_imports_no_tensorflow_or_keras():
    script = (
        "import sys, importlib, django\n"
        "django.setup()\n"
        f"for name in {WEB_MODULES!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print(loaded[:5]); sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"DJANGO_SETTINGS_MODULE": "recsite.settings", "PATH": "/usr/bin:/bin",
                                 "DATA_DIR": str(ROOT / "var" / "test-no-tf")})
    assert result.returncode == 0, result.stdout + result.stderr
