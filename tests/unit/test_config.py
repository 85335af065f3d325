import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "app" / "config.py"


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
