"""Writing a result's folders (``autograded/<student>/``, ``feedback/<student>/``) so that a crash never
leaves half of one: each folder is built beside its target and swapped in with renames."""

import shutil
import tempfile
from pathlib import Path

FOLDER_MODE = 0o755
#: What ``replace_folder`` leaves behind when the process is killed in the middle.
LEFTOVERS = tuple(
    "{}/*/{}*".format(top, prefix) for top in ("autograded", "feedback") for prefix in (".staging-", ".old-")
)


def replace_folder(target: str | Path, files: dict[str, bytes]) -> None:
    """Atomically replace folder ``target`` by one holding ``{relative path: bytes}``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=str(target.parent)))
    staging.chmod(FOLDER_MODE)
    for relative, data in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=".old-", dir=str(target.parent)))
        target.rename(trash / "old")
        staging.rename(target)
        shutil.rmtree(str(trash))
    else:
        staging.rename(target)


def remove_leftovers(root: str | Path) -> None:
    """Delete the half-written folders of a run that was killed (see ``replace_folder``)."""
    for pattern in LEFTOVERS:
        for path in Path(root).glob(pattern):
            shutil.rmtree(str(path), ignore_errors=True)
