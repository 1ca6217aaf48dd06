"""Publishing an output folder: built whole beside the old one, then swapped in, or not at all.

``outputs/<profile>/2021-Q2`` is written as a sibling staging folder ``.2021-Q2.staging`` (same parent, so
the renames below stay on one filesystem), then swapped in: the old folder is renamed to ``.2021-Q2.old``,
the new one renamed into place, the old one deleted; if the second rename fails the old folder is put back.
A lock file beside the folder (``.2021-Q2.lock``, never inside it; removed when done) keeps a second
``tthc grade``/``tthc run`` off the same folder. A ``tthc run`` that fails keeps its staging folder as
``2021-Q2.failed`` (evidence).

Every refusal of the operating system (a file where the folder should be, no permission, a read-only or
full disk, a folder in use or on another filesystem) becomes an :class:`OutputFolderError` with a
Vietnamese message naming the path and what to do; the previous folder is then unchanged.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tthc.errors import RunFailed, TthcError

STAGING_SUFFIX = ".staging"
OLD_SUFFIX = ".old"
LOCK_SUFFIX = ".lock"
FAILED_SUFFIX = ".failed"
#: Marks a staging folder of ``tthc run``: the stages write into it directly (the run publishes it whole).
STAGING_MARKER = ".tthc-staging"
#: The lock file earlier versions kept inside the output folder: never carried into a new folder.
LEGACY_LOCK = ".tthc-run.lock"
#: What tthc writes in an output folder. An existing folder is replaced only when it holds ``manifest.json``
#: or nothing but these names: a wrong ``--out`` (a home folder, the project) is refused, never replaced.
OUTPUT_NAMES = frozenset({
    "grades.csv", "officials.csv", "official_indicators.csv", "dossier_scores.csv", "findings.csv",
    "unit_indicators.csv", "satisfaction.csv", "participants.csv", "grades.xlsx", "findings.xlsx",
    "components.csv", "citizens.csv",
    "manifest.json", "run-manifest.json", "report.html", "report.pdf", "report.docx", "public.html", "notebooks",
    "tables", "charts",
    LEGACY_LOCK, STAGING_MARKER,
})
KEPT = "Thư mục kết quả cũ (nếu có) được giữ nguyên."


class OutputFolderError(TthcError, RuntimeError):
    """The output folder cannot be written where it was asked (the user's environment; exit status 2)."""


class FolderBusy(RunFailed, RuntimeError):
    """Another ``tthc grade``/``tthc run`` holds the output folder (exit status 3)."""


def shown(path: Path | str) -> str:
    """A path as the user would type it: relative to the current folder when inside it, else absolute."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def resolve(out_dir: Path | str) -> Path:
    """The folder that will really be replaced (a symbolic link is followed: it keeps pointing at it)."""
    return Path(out_dir).expanduser().resolve()


def sibling(out_dir: Path, suffix: str, hidden: bool = True) -> Path:
    return out_dir.parent / f"{'.' if hidden else ''}{out_dir.name}{suffix}"


def lock_path(out_dir: Path | str) -> Path:
    return sibling(resolve(out_dir), LOCK_SUFFIX)


# --- messages ------------------------------------------------------------------------------------------


def explain(exc: OSError, path: Path, doing: str, kept: str = KEPT) -> OutputFolderError:
    """An operating-system refusal while ``doing`` something to ``path``, as Vietnamese sentences: what
    happened, what to do, and ``kept`` (what became of the previous folder)."""
    where = shown(path)
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        text = f"Không có quyền {doing} {where}: cấp quyền ghi cho thư mục đó, hoặc chọn --out ở nơi khác."
    elif code == errno.EROFS:
        text = f"{where} nằm trên ổ chỉ đọc, không {doing} được: chọn --out ở một ổ ghi được."
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        text = f"Hết chỗ trống (hoặc hết hạn mức) trên ổ chứa {where}: giải phóng dung lượng rồi chạy lại."
    elif code in (errno.EBUSY, errno.EXDEV):
        text = (f"Không {doing} {where}: thư mục đang bị chiếm giữ (đang mở trong chương trình khác, hoặc là "
                "điểm gắn kết của một ổ/hệ thống tệp khác). Đóng chương trình đang dùng nó, hoặc chọn --out là "
                "một thư mục con bên trong nó.")
    elif code in (errno.ENOTDIR, errno.EEXIST):
        text = (f"Không {doing} {where}: một phần của đường dẫn là tệp chứ không phải thư mục. Đổi tên hoặc "
                "xoá tệp đó, hoặc chọn --out khác.")
    else:
        text = (f"Không {doing} {where} ({exc.strerror or type(exc).__name__}): kiểm tra quyền và dung "
                "lượng ổ đĩa, hoặc chọn --out khác.")
    return OutputFolderError(f"{text} {kept}".strip())


def guard(action: Callable[[], object], path: Path, doing: str):
    """``action()``, with an operating-system refusal turned into :class:`OutputFolderError`."""
    try:
        return action()
    except OSError as exc:
        raise explain(exc, path, doing) from exc


# --- checks before anything is written -------------------------------------------------------------------


def check_target(out_dir: Path | str) -> Path:
    """The resolved output folder, or :class:`OutputFolderError` when it cannot be an output folder: a file
    (at it or at a parent), or an existing folder that is not one of tthc's. Writes nothing."""
    out = resolve(out_dir)
    if out.parent == out:
        raise OutputFolderError(f"Không dùng được {out} làm thư mục kết quả: chọn --out là một thư mục con.")
    blocker = guard(lambda: _file_in_the_way(out), out, "đọc")
    if blocker is not None:
        raise OutputFolderError(
            f"Không tạo được thư mục kết quả {shown(out)}: {shown(blocker)} là một tệp, không phải thư mục. "
            f"Đổi tên hoặc xoá tệp đó, hoặc chọn --out khác. {KEPT}"
        )
    if guard(out.is_dir, out, "đọc"):
        entries = guard(lambda: sorted(p.name for p in out.iterdir()), out, "đọc thư mục")
        foreign = [name for name in entries if name not in OUTPUT_NAMES]
        if foreign and "manifest.json" not in entries:
            listed = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
            raise OutputFolderError(
                f"Thư mục {shown(out)} đã có và không phải thư mục kết quả của tthc (không có manifest.json; "
                f"có {listed}). tthc thay cả thư mục khi ghi kết quả nên không ghi vào đó: chọn --out khác, "
                "hoặc chuyển các tệp đó đi."
            )
    return out


def _file_in_the_way(out: Path) -> Path | None:
    """The nearest of ``out`` and its parents that exists, when it is not a folder."""
    for folder in [out, *out.parents]:
        if folder.exists():
            return None if folder.is_dir() else folder
    return None


# --- lock, staging, swap ---------------------------------------------------------------------------------


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock or raise :class:`FolderBusy`.

    The lock is an advisory ``flock`` on ``.<name>.lock`` beside the folder (never inside it), removed when
    released. A lock file can be removed between another process's ``open`` and its ``flock``: that process
    then holds a lock on a file no longer at the path, so a holder checks the path still names its file.
    """
    guard(lambda: out.parent.mkdir(parents=True, exist_ok=True), out.parent, "tạo thư mục")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, run unguarded
        yield
        return
    path = sibling(out, LOCK_SUFFIX)
    while True:
        handle = guard(lambda: open(path, "a+"), out.parent, "ghi vào thư mục")  # noqa: SIM115 - closed below
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise FolderBusy(
                f"Đang có một lần chạy khác ghi vào {shown(out)}; chờ lần đó xong rồi chạy lại."
            ) from None
        if _same_file(handle, path):
            break
        handle.close()  # the holder before us removed it: lock the file now at the path
    try:
        _recover(out)
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()  # releases the lock


def _same_file(handle, path: Path) -> bool:
    try:
        here, there = os.fstat(handle.fileno()), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _recover(out: Path) -> None:
    """Under the lock: put back a folder a killed swap left renamed away; remove a killed run's staging."""
    old = sibling(out, OLD_SUFFIX)
    if old.is_dir() and not out.exists():
        guard(lambda: os.rename(old, out), out, "khôi phục thư mục")
    for leftover in (old, sibling(out, STAGING_SUFFIX)):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def new_staging(out: Path, marker: bool = False) -> Path:
    """An empty staging folder beside ``out`` (ordinary permissions: the umask applies). Call under the lock."""
    staging = sibling(out, STAGING_SUFFIX)
    if staging.exists():
        guard(lambda: shutil.rmtree(staging), staging, "xoá thư mục tạm")
    guard(lambda: staging.mkdir(), out.parent, "ghi vào thư mục")
    if marker:
        guard(lambda: (staging / STAGING_MARKER).write_bytes(b""), staging, "ghi vào thư mục")
    return staging


def is_run_staging(folder: Path | str) -> bool:
    """``folder`` is the staging folder of a ``tthc run`` in progress (its stages write into it directly)."""
    return (Path(folder) / STAGING_MARKER).is_file()


def swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``: rename the old folder away, the new one in, delete the old one; if the
    new one cannot be renamed in, the old one is put back. Call under the lock."""
    (staging / STAGING_MARKER).unlink(missing_ok=True)
    old = sibling(out, OLD_SUFFIX)
    had_old = out.exists()
    if had_old:
        guard(lambda: os.rename(out, old), out, "thay thư mục")
    try:
        os.rename(staging, out)
    except OSError as exc:
        kept = KEPT
        if had_old:
            try:
                os.rename(old, out)
            except OSError:
                kept = f"Thư mục kết quả cũ đang nằm tại {shown(old)}; lần ghi sau tự đặt lại chỗ cũ."
        raise explain(exc, out, "thay thư mục", kept) from exc
    if had_old:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def keep_failed(staging: Path, out: Path) -> Path:
    """Keep a failed run's staging folder as ``<name>.failed`` beside ``out`` (replacing an older one); the
    staging folder itself if that rename is refused."""
    (staging / STAGING_MARKER).unlink(missing_ok=True)
    failed = sibling(out, FAILED_SUFFIX, hidden=False)
    try:
        if failed.is_dir() and not failed.is_symlink():
            shutil.rmtree(failed)
        elif failed.exists() or failed.is_symlink():
            failed.unlink()
        os.rename(staging, failed)
    except OSError:
        return staging
    return failed


def carry_over(old: Path, staging: Path) -> list[str]:
    """Bring what ``old`` holds and ``staging`` does not (a run's report, notebooks, charts) into ``staging``:
    hard links where the filesystem allows, else copies. Returns the names carried."""
    carried = []
    if not old.is_dir():
        return carried
    for entry in sorted(old.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name in (LEGACY_LOCK, STAGING_MARKER) or (staging / name).exists():
            continue
        if entry.is_dir() and not entry.is_symlink():
            guard(lambda e=entry, n=name: shutil.copytree(e, staging / n, symlinks=True,
                                                             copy_function=_link_or_copy),
                     staging, "chép sang thư mục mới")
        else:
            guard(lambda e=entry, n=name: _link_or_copy(e, staging / n), staging, "chép sang thư mục mới")
        carried.append(name)
    return carried


def _link_or_copy(src, dst) -> None:
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def replacing(out_dir: Path | str) -> Iterator[Path]:
    """Check and lock ``out_dir``, yield a fresh staging folder beside it; when the block ends normally the
    staging folder replaces ``out_dir`` whole, otherwise it is removed and ``out_dir`` is unchanged."""
    out = check_target(out_dir)
    with locked(out):
        staging = new_staging(out)
        try:
            yield staging
            swap_in(staging, out)
        except BaseException:
            discard(staging)
            raise
