"""A loaded executor config is data: it cannot widen the sandbox unless the user allows that on purpose.

Code that constructs an executor is trusted; a config (``load_component``, a spec, a shared JSON file) is not.
Whatever loosens isolation in a config (the network, higher or disabled limits, host folders, extra volumes,
the image, an init command, a container name, the kernel) is refused with an error naming the field and the
opt-in, unless the user typed that opt-in:

* ``ACCORD_ALLOW_EXECUTOR_CONFIG=allow_network,work_dir`` (field names, comma-separated; ``all`` for every
  field) accepts those fields from any loaded executor config;
* folders a config names (``work_dir``, ``bind_dir``, ``output_dir``) are accepted only inside a work root:
  the folders listed in ``ACCORD_WORK_ROOTS`` (``os.pathsep``-separated) or given in code with
  :func:`allow_work_roots` (``accord run`` gives the spec's own folder). A relative folder is taken inside
  the first root. accord creates the folder there if it is missing; it never hands an existing host folder
  outside those roots to sandboxed code.

Every check runs before anything is created: a refused config leaves no folder, file or process behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from .._errors import ComponentError

__all__ = ["ALLOW_CONFIG_ENV", "WORK_ROOTS_ENV", "admit_folder", "allow_work_roots", "allowed", "refuse_loosening"]

ALLOW_CONFIG_ENV = "ACCORD_ALLOW_EXECUTOR_CONFIG"
WORK_ROOTS_ENV = "ACCORD_WORK_ROOTS"

_roots: ContextVar[tuple[Path, ...]] = ContextVar("accord_work_roots", default=())


@contextlib.contextmanager
def allow_work_roots(*roots: str | os.PathLike[str]) -> Iterator[None]:
    """Within this block, executor configs may name folders inside ``roots`` (code-level, not data)."""
    token = _roots.set((*_roots.get(), *(Path(r) for r in roots)))
    try:
        yield
    finally:
        _roots.reset(token)


def work_roots() -> tuple[Path, ...]:
    env = [Path(p) for p in os.environ.get(WORK_ROOTS_ENV, "").split(os.pathsep) if p.strip()]
    return (*_roots.get(), *env)


def allowed(field: str) -> bool:
    """True if the user allowed ``field`` in loaded executor configs (``ACCORD_ALLOW_EXECUTOR_CONFIG``)."""
    names = {n.strip() for n in os.environ.get(ALLOW_CONFIG_ENV, "").split(",")}
    return field in names or "all" in names


def _refusal(component: str, field: str, value: object, why: str) -> ComponentError:
    return ComponentError(
        f"{component} config field {field}={value!r} refused: {why}. A loaded config is data and cannot loosen "
        f"the sandbox on its own: pass {field} in code, or allow it on purpose with {ALLOW_CONFIG_ENV}={field}"
    )


def refuse_loosening(component: str, field: str, value: object, default: object) -> None:
    """Refuse ``value`` for ``field`` when it is looser than ``default`` (True for a flag off by default, None
    or a larger number for a limit, anything else for a field whose default is the only safe value)."""
    if allowed(field) or value == default:
        return
    if isinstance(default, bool):
        loose = bool(value) and not default
    elif isinstance(default, int | float) and not isinstance(default, bool):
        loose = value is None or not isinstance(value, int | float) or value > default
    else:
        loose = True
    if loose:
        why = "it disables the limit" if value is None and default is not None else "it loosens the sandbox"
        raise _refusal(component, field, value, why)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def admit_folder(component: str, field: str, value: str | None) -> Path | None:
    """The folder a config names, if the user allowed it (see the module doc); raises ComponentError if not.

    Nothing is created here: the executor creates a missing folder once every check has passed."""
    if value is None:
        return None
    if allowed(field):
        return Path(value)
    roots = work_roots()
    hint = (
        f"a loaded config may only name folders inside a work root you allow ({WORK_ROOTS_ENV}=<folder>, "
        "or the spec's own folder for `accord run`)"
    )
    path = Path(value)
    if ".." in path.parts:
        raise _refusal(component, field, value, f"it leaves its folder ('..'); {hint}")
    if not path.is_absolute():
        if not roots:
            raise _refusal(component, field, value, f"no work root is allowed; {hint}")
        path = roots[0] / path
    real = os.path.realpath(path)
    inside = [r for r in roots if _inside(real, os.path.realpath(r))]
    if not inside:
        shown = ", ".join(str(r) for r in roots) or "none"
        raise _refusal(component, field, value, f"{real!r} is outside every work root (roots: {shown}); {hint}")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise _refusal(component, field, value, "it exists and is not a directory")
    return Path(real)
