"""Uploaded files: what a file is, by its first bytes, and where files are kept.

A file's name and the type its browser claims are the sender's to choose, so neither decides
anything: an HTML page renamed `letter.pdf` starts `<!DOCTYPE html>`, not `%PDF-`, and is
refused. What we accept is what a letter, a photo of a letter or a recording of an appointment
comes as; nothing we accept is ever served as a page (`patients.views.documents`).
"""

from dataclasses import dataclass

from django.core.files.storage import FileSystemStorage, Storage, storages

# Enough of the start of a file for every signature below (ISO media's brand is at bytes 8-12).
SNIFF_BYTES = 16

# ISO base media ("ftyp" boxes): the brands of HEIC photos (iPhone) and of MPEG-4 audio (.m4a,
# voice memos). A brand we do not list, video among them, is refused.
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5"}


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    # May be shown in the reader's browser rather than saved (`?view=1`): pictures and sound,
    # never anything a browser would run as a page. PDFs are saved: a browser's PDF viewer
    # will not open under the download's sandbox.
    inline: bool = True


PDF = FileType("application/pdf", "pdf", inline=False)
JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
# Browsers other than Safari cannot show HEIC, so it is always a download.
HEIC = FileType("image/heic", "heic", inline=False)
MP3 = FileType("audio/mpeg", "mp3")
M4A = FileType("audio/mp4", "m4a")
WAV = FileType("audio/wav", "wav")
OGG = FileType("audio/ogg", "ogg")

ACCEPTED = (PDF, JPEG, PNG, HEIC, MP3, M4A, WAV, OGG)


def sniff(head: bytes) -> FileType | None:
    """The accepted type `head` (a file's first SNIFF_BYTES bytes) starts like, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _M4A_BRANDS:
            return M4A
        return None
    if head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06
    ):
        # An ID3 tag, or an MPEG audio frame's sync bits with a layer set (0xFFFx, 0xFFEx).
        return MP3
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"OggS"):
        return OGG
    return None


def documents_storage() -> Storage:
    """Where documents are kept: `STORAGES["documents"]` (local disk under VAR_DIR, or an
    S3-compatible bucket: README "Letters and documents"). Looked up on every use, so a test's
    settings override takes effect."""
    return storages["documents"]


class PrivateFileSystemStorage(FileSystemStorage):
    """Local disk with no URL at all: a document leaves only through the download door."""

    def url(self, name: str | None) -> str:
        raise ValueError("Documents have no URL: they are sent by the download view only.")
