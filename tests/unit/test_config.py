import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from app import create_app
from app.config import DEV_SECRET_KEY, Config, UnsafeConfigError, refuse_unsafe

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "app" / "config.py"


def variables_read_by_config() -> set[str]:
    """Every environment variable app/config.py names: os.environ.get / os.getenv /
    os.environ[...] and the module's own readers (_bool, _int…), wherever they are called."""
    tree = ast.parse(CONFIG.read_text(encoding="utf-8"))
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv"} or func in helpers:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return {name for name in names if isinstance(name, str) and name.isupper()}


def test_env_example_lists_every_variable_config_reads():
    read = variables_read_by_config()
    assert {"SECRET_KEY", "DATABASE_URL", "INSTANCE_PATH", "MAIL_PORT", "LOG_JSON"} <= read  # the scan sees them all
    listed = dotenv_values(ROOT / ".env.example")
    assert sorted(read - listed.keys()) == []
    assert sorted(listed.keys() - read) == []  # nothing stale either


def test_env_example_gives_each_variable_a_meaning():
    lines = [line for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert [line.split("=", 1)[0] for line in lines if " # " not in line] == []
    assert dotenv_values(ROOT / ".env.example")["SECRET_KEY"] == DEV_SECRET_KEY


def test_env_example_sources_in_sh_as_dotenv_reads_it():
    """`set -a; . ./.env.example` in a shell gives every variable the value python-dotenv reads."""
    listed = dotenv_values(ROOT / ".env.example")
    shown = subprocess.run(["sh", "-c", "set -a; . ./.env.example && env -0"], cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
                           capture_output=True, check=True).stdout.decode()
    sourced = dict(item.split("=", 1) for item in shown.split("\0") if "=" in item)
    assert {key: sourced.get(key) for key in listed} == listed
    assert listed["TRACK_RATE_LIMIT"] == "10 per minute"


@pytest.mark.parametrize("config", [{"SECRET_KEY": DEV_SECRET_KEY}, {"SECRET_KEY": ""}, {"SECRET_KEY": None},
                                    {"SECRET_KEY": DEV_SECRET_KEY, "DEBUG": False, "TESTING": False}])
def test_the_development_secret_is_refused(config):
    with pytest.raises(UnsafeConfigError, match=r"^SECRET_KEY vaut .* / SECRET_KEY is the development default"):
        refuse_unsafe(config)


@pytest.mark.parametrize("config", [{"SECRET_KEY": DEV_SECRET_KEY, "DEBUG": True},
                                    {"SECRET_KEY": DEV_SECRET_KEY, "TESTING": True},
                                    {"SECRET_KEY": "3f9c0e1d7a"}])
def test_debug_tests_and_a_real_secret_start(config):
    refuse_unsafe(config)


def test_create_app_refuses_the_development_secret(tmp_path):
    with pytest.raises(UnsafeConfigError, match="SECRET_KEY"):
        create_app(Config, SECRET_KEY=DEV_SECRET_KEY, DEBUG=False, TESTING=False, MEDIA_ROOT=str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()  # refused before touching anything


def test_dotenv_is_read_next_to_the_project_and_the_environment_wins(tmp_path):
    # A copy of app/config.py in a project of its own: its .env, read from any working directory.
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    shutil.copy(CONFIG, project / "app" / "config.py")
    (project / "app" / "__init__.py").write_text("")
    (project / ".env").write_text("SECRET_KEY=from-dotenv\nDEFAULT_TENANT=akwa\nPLATFORM_DOMAIN=shops.example\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("SECRET_KEY=wrong-file\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project), "PLATFORM_DOMAIN": "set.in.environment"}
    code = "from app.config import Config as C; print(C.SECRET_KEY, C.DEFAULT_TENANT, C.PLATFORM_DOMAIN)"
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["from-dotenv", "akwa", "set.in.environment"]


def test_flask_refuses_to_start_with_the_development_secret(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "FLASK_APP": "wsgi.py", "FLASK_DEBUG": "0", "SECRET_KEY": DEV_SECRET_KEY,
           "INSTANCE_PATH": str(tmp_path)}
    flask = [sys.executable, "-m", "flask", "routes"]
    refused = subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "UnsafeConfigError: SECRET_KEY vaut la valeur de développement" in refused.stderr
    debug = subprocess.run(flask, cwd=ROOT, env={**env, "FLASK_DEBUG": "1"}, capture_output=True, text=True)
    assert debug.returncode == 0 and "/shop/" in debug.stdout, debug.stderr
