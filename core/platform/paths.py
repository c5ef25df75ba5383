"""Where the project's own files and the user's workspaces live."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "sql"
SAMPLE_DIR = ROOT / "sample_data"


def data_dir() -> Path:
    """Workspaces live here: `./data` unless SHOPLENS_DATA_DIR says otherwise."""
    path = Path(os.environ.get("SHOPLENS_DATA_DIR") or ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_sql(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


TEMP_PREFIX = "shoplens-"  # every temporary folder ShopLens makes starts so, in the system's temp folder
STALE_AFTER_SECONDS = 3600  # a folder of no known live process this old is a killed load's leftover
SPILL_FOLDER = ".spill"  # under the data folder: where DuckDB writes what does not fit its memory limit


def work_dir(kind: str = "load") -> Path:
    """A new temporary folder named `shoplens-<kind>-<pid>-<random>`: the process id lets the start-up
    sweep tell a live process's folder from a killed one's. Never holds the user's file name."""
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{kind}-{os.getpid()}-"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to clean
        return True
    return True


def _owner_pid(name: str) -> int | None:
    """The process id in `shoplens-<kind>-<pid>-<random>`, else None."""
    parts = name[len(TEMP_PREFIX):].split("-", 2)
    return int(parts[1]) if len(parts) == 3 and parts[0].isalpha() and parts[1].isdigit() else None


def _unowned(name: str) -> bool:
    """`shoplens-<random>`, as loads named their folders before `work_dir`: no owner to ask, so age decides.
    Other names (a running server's `shoplens-uploads-...`) are never swept by age."""
    rest = name[len(TEMP_PREFIX):]
    return len(rest) == 8 and "-" not in rest


def sweep_stale_temp(folder: Path | None = None, max_age: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Remove `shoplens-*` folders left by loads that were killed (kill -9 runs no cleanup): those of a
    process that no longer runs, and those without a process id (older versions) untouched for
    `max_age` seconds. Returns what it removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    now = time.time()
    try:
        candidates = list(folder.glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    for path in candidates:
        try:
            if not path.is_dir() or path.is_symlink():
                continue
            pid = _owner_pid(path.name)
            if pid is not None and pid != os.getpid() and not _alive(pid) \
                    or pid is None and _unowned(path.name) and now - path.stat().st_mtime > max_age:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:  # gone meanwhile, or not ours
            continue
    return removed


def spill_dir(workspace_file: Path) -> Path:
    """DuckDB's temp_directory for one workspace file: under the data folder, one per file (one process
    holds a file at a time, so two processes never share a spill folder)."""
    import hashlib

    digest = hashlib.sha1(str(Path(workspace_file).resolve()).encode()).hexdigest()[:10]
    return data_dir() / SPILL_FOLDER / f"{Path(workspace_file).stem[:40]}-{digest}"
