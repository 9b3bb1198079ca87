"""The git history of plan files: every version of every plan, read with one ``git log`` and one
``git cat-file --batch`` for the whole site. Free of MkDocs; git is run as a program, when there is one.

Nothing here raises for a missing git, a folder outside a repository, a shallow clone or an
unknown ref: :class:`Repository.open` returns why, and the caller says so on the page.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

NULL_SHA = "0" * 40
GIT_TIMEOUT = 120  # seconds for one git command; a build never hangs on it
SHALLOW_ADVICE = "fetch the full history (git fetch --unshallow; with actions/checkout, fetch-depth: 0)"


@dataclass(frozen=True)
class Version:
    """A plan file as one commit left it."""

    commit: str
    date: dt.date  # the commit's date (the committer's, in their time zone)
    blob: str | None  # the file's content id; None when the commit deleted it


@dataclass
class FileHistory:
    versions: list[Version] = field(default_factory=list)  # oldest first
    truncated: bool = False  # a shallow clone: the file's history before versions[0] is missing


class GitError(Exception):
    """Why git could not answer (not installed, not a repository, failed)."""


def _run(args: list[str], cwd: str, data: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git failed ({type(exc).__name__})") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
        raise GitError(message or f"git exited with status {done.returncode}")
    return done.stdout


class Repository:
    """A git work tree, asked in bulk."""

    def __init__(self, root: str, head: str | None, shallow: set[str]) -> None:
        self.root, self.head, self.shallow = root, head, shallow
        self._refs: dict[str, str | None] = {}

    @classmethod
    def open(cls, folder: str) -> Repository | str:
        """The repository that holds ``folder``, or why there is none."""
        try:
            out = _run(["rev-parse", "--show-toplevel", "--is-shallow-repository", "--git-path", "shallow"], folder)
        except GitError as exc:
            text = str(exc)
            if "not a git repository" in text.lower():
                return "the site is not in a git repository"
            return f"git cannot read the history ({text})"
        lines = out.decode("utf-8", "replace").splitlines()
        if len(lines) < 3:
            return "git cannot read the history (unexpected answer)"
        root, is_shallow, shallow_file = lines[0], lines[1] == "true", lines[2]
        shallow: set[str] = set()
        if is_shallow:
            try:
                with open(os.path.join(folder, shallow_file), encoding="ascii") as handle:
                    shallow = {line.strip() for line in handle if line.strip()}
            except OSError:
                shallow = {"?"}
        try:
            head: str | None = _run(["rev-parse", "--verify", "--quiet", "HEAD"], root).decode().strip() or None
        except GitError:
            head = None  # a repository without commits
        return cls(root, head, shallow)

    def relative(self, path: str) -> str | None:
        """``path`` relative to the work tree, or None when it lies outside it."""
        real, root = os.path.realpath(path), os.path.realpath(self.root)
        if not real.startswith(root + os.sep):
            return None
        rel = os.path.relpath(real, root).replace(os.sep, "/")
        return None if "\n" in rel else rel

    def log(self, paths: Iterable[str]) -> dict[str, FileHistory]:
        """Every commit that changed each of ``paths`` (relative to the work tree), in one git log."""
        wanted = sorted(set(paths))
        out: dict[str, FileHistory] = {p: FileHistory() for p in wanted}
        if not wanted or self.head is None:
            return out
        data = ("HEAD\n--\n" + "".join(p + "\n" for p in wanted)).encode()
        raw = _run(["log", "--stdin", "--no-renames", "--raw", "--no-abbrev", "-z", "--format=%x01%H %ct %cI"], self.root, data)
        commits = []
        for chunk in raw.split(b"\x01")[1:]:
            header, _, body = chunk.partition(b"\0")
            sha, stamp, iso = header.decode("ascii", "replace").split(" ", 2)
            tokens = body.lstrip(b"\n").split(b"\0")
            changes: list[tuple[str, str]] = []
            for info, path in zip(tokens[0::2], tokens[1::2], strict=False):
                fields = info.decode("ascii", "replace").split()
                if len(fields) >= 5:
                    changes.append((path.decode("utf-8", "surrogateescape"), fields[3]))
            commits.append((int(stamp), sha, dt.date.fromisoformat(iso[:10]), changes))
        commits.sort(key=lambda c: c[0])  # oldest first; a stable order for commits of one second
        for _, sha, day, changes in commits:
            for name, blob in changes:
                if name in out:
                    out[name].versions.append(Version(sha, day, None if blob == NULL_SHA else blob))
        for history in out.values():
            history.truncated = bool(self.shallow) and bool(history.versions) and history.versions[0].commit in self.shallow
        return out

    def resolve(self, ref: str) -> str | None:
        """The commit a ref (tag, branch, commit) names, or None."""
        if ref not in self._refs:
            commit = None
            if ref and not ref.startswith("-") and "\n" not in ref:
                try:
                    commit = _run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], self.root).decode().strip() or None
                except GitError:
                    commit = None
            self._refs[ref] = commit
        return self._refs[ref]

    def default_branch(self) -> str | None:
        """The branch a pull request merges into: origin's HEAD, else main or master."""
        for ref in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
            if self.resolve(ref):
                return ref
        return None

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return _run(["merge-base", a, b], self.root).decode().strip() or None
        except GitError:
            return None

    def extract(self, commit: str, target: str) -> None:
        """The tree of a commit, written under ``target`` (one git archive, read as a tar stream;
        only regular files and folders, nothing outside ``target``)."""
        import io
        import tarfile

        data = _run(["archive", "--format=tar", commit], self.root)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            members = [m for m in archive.getmembers() if m.isfile() or m.isdir()]
            archive.extractall(target, members=members, filter="data")

    def blobs(self, names: Iterable[str]) -> dict[str, bytes | None]:
        """File contents by blob id or ``commit:path``, in one git cat-file --batch (None: missing)."""
        wanted = [n for n in dict.fromkeys(names) if "\n" not in n]
        if not wanted:
            return {}
        raw = _run(["cat-file", "--batch"], self.root, "".join(n + "\n" for n in wanted).encode("utf-8", "surrogateescape"))
        out: dict[str, bytes | None] = {}
        pos = 0
        for name in wanted:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].decode("ascii", "replace").split()
            pos = end + 1
            if len(header) == 3 and header[1] == "blob":
                size = int(header[2])
                out[name] = raw[pos : pos + size]
                pos += size + 1
            elif len(header) == 3:  # a tree or commit: skip its content
                pos += int(header[2]) + 1
                out[name] = None
            else:  # "<name> missing"
                out[name] = None
        return out
