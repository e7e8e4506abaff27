"""A documents store on local disk that notes every file opened, so a test can say that a
refused download read no bytes of the file (the storage is the edge where bytes come from)."""

from typing import Any

from patients.documents import PrivateFileSystemStorage


class RecordingStorage(PrivateFileSystemStorage):
    # On the class: `storages` makes its own instance, which the test cannot reach.
    opened: list[str] = []

    def _open(self, name: str, mode: str = "rb") -> Any:
        RecordingStorage.opened.append(name)
        return super()._open(name, mode)
