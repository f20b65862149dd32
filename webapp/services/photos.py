"""Photos of observations: checked, re-encoded without any metadata, stored once per phone UUID.

Every upload is decoded and re-encoded by Pillow: that proves it is an image, turns it upright
(``exif_transpose``), bounds its size, and drops every metadata block (EXIF with GPS, XMP, ICC,
comments) because only the pixels are copied into a fresh image. A photo is recorded by
``INSERT … ON CONFLICT DO NOTHING`` under a name made of its UUID and content; its bytes then go to
the photo store (``webapp.services.photo_store``: files on SQLite, the database on PostgreSQL) in
the same transaction, by the request that inserted the row only.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mobile_forms.fields import PhotoField
from webapp.errors import Conflict, DomainError, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Observation, Participant, Photo
from webapp.models.base import utcnow
from webapp.services import data_stamps, forms, photo_store, walks
from webapp.services.observations import get_own_observation

#: Largest uploaded file, in bytes (phones resize before sending; this is for those that could not).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Largest decoded image, in pixels (a "decompression bomb" beyond this is refused before decoding).
MAX_PIXELS = 40_000_000
#: Longest side of the stored photo, in pixels.
MAX_SIDE = 1600
#: JPEG quality of the stored photo.
JPEG_QUALITY = 82
#: Photos per observation, unless the form says otherwise.
DEFAULT_MAX_PHOTOS = 3


class PhotoTooLarge(DomainError):
    status = 413
    code = "photo_too_large"


@dataclass(frozen=True)
class EncodedPhoto:
    """A photo re-encoded as a metadata-free JPEG."""

    data: bytes
    width: int
    height: int


def _invalid(code: str, fr: str, en: str) -> ValidationError:
    return ValidationError(
        fr, details={"photo": [{"code": code, "message": {"fr": fr, "en": en}, "params": {}}]}
    )


class _EndWatcher(io.BytesIO):
    """The upload as a file that notes when a decoder asks for bytes past its end (a truncated image).

    Pillow decides whether a truncated image is an error from a process-wide flag
    (``ImageFile.LOAD_TRUNCATED_IMAGES``) that WeasyPrint turns on when it is imported: once a worker
    has rendered a PDF, truncated photos would be accepted, padded with grey. Noting the read past
    the end ourselves makes the check the same whatever else the process did.
    """

    ran_out = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk and size != 0:
            self.ran_out = True
        return chunk


def reencode(data: bytes) -> EncodedPhoto:
    """Check that ``data`` is a photo and return it upright, bounded and without metadata."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoTooLarge(
            f"Photo trop lourde : {MAX_UPLOAD_BYTES // 2**20} Mo au plus. Réduisez-la avant de l'envoyer.",
            details={"photo": [{"code": "too_large", "params": {"max_bytes": MAX_UPLOAD_BYTES}}]},
        )
    if not data:
        raise _invalid("empty", "Le fichier envoyé est vide.", "The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = _EndWatcher(data)
            with Image.open(source) as image:
                if image.format not in {"JPEG", "PNG", "WEBP", "GIF", "MPO"}:
                    raise _invalid(
                        "unsupported",
                        "Format non accepté : envoyez une photo JPEG, PNG ou WebP.",
                        "Unsupported format: send a JPEG, PNG or WebP photo.",
                    )
                if image.width * image.height > MAX_PIXELS:
                    raise _invalid(
                        "too_many_pixels",
                        "Image trop grande : réduisez-la avant de l'envoyer.",
                        "Image too large: resize it before sending.",
                    )
                image.load()
                if source.ran_out:
                    raise OSError("image file is truncated")
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                rgb = upright.convert("RGB")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        if isinstance(error, DomainError):
            raise
        raise _invalid(
            "not_an_image", "Ce fichier n'est pas une photo lisible.", "This file is not a readable photo."
        ) from error
    # Only the pixels go into the new image: no EXIF (GPS), XMP, ICC profile or comment survives.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return EncodedPhoto(out.getvalue(), clean.width, clean.height)


def _same(photo: Photo, observation: Observation, digest: str) -> bool:
    # Photos stored before hashes existed have an empty hash: a retry is taken as the same photo.
    return photo.observation_id == observation.id and photo.upload_sha256 in {digest, ""}


def max_photos_for(observation: Observation) -> int:
    """How many photos the observation's form allows (its photo field's ``max_count``; none without one)."""
    try:
        definition = forms.definition(observation.form_key, observation.form_version)
    except NotFound:
        return DEFAULT_MAX_PHOTOS
    counts = [f.kind.max_count for f in definition.fields if isinstance(f.kind, PhotoField)]
    return max(counts) if counts else 0


def add_photo(
    participant: Participant,
    observation_uuid: uuid.UUID,
    photo_uuid: uuid.UUID,
    data: bytes,
    *,
    max_photos: int | None = None,
) -> tuple[Photo, bool]:
    """Attach a photo to one of the participant's observations; returns it and whether it is new."""
    observation = get_own_observation(participant, observation_uuid)
    if max_photos is None:
        max_photos = max_photos_for(observation)
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(Photo).where(Photo.client_uuid == photo_uuid))
    if existing is not None:
        if _same(existing, observation, digest):
            return existing, False
        raise Conflict(
            _l("Une autre photo porte déjà cet identifiant."), details={"photo_uuid": str(photo_uuid)}
        )
    # A photo follows its observation: after the close, only that of one captured before it, in time.
    walks.check_accepts_observation(participant.walk, observation.captured_at)
    # Take the observation's lock before counting: on PostgreSQL this no-op UPDATE locks its row, on
    # SQLite it takes the write lock; a concurrent upload of the same observation waits here, then
    # counts the photo the first one stored. Counting first let 12 parallel uploads store 4 to 8.
    db.session.execute(update(Observation).where(Observation.id == observation.id).values(id=Observation.id))
    count = db.session.scalar(select(func.count(Photo.id)).where(Photo.observation_id == observation.id)) or 0
    if count >= max_photos:
        raise ValidationError(
            _l("%(num)s photos au plus par observation.", num=max_photos),
            details={
                "photos": [
                    {
                        "code": "too_many",
                        "message": {
                            "fr": f"{max_photos} photos au plus par observation.",
                            "en": f"At most {max_photos} photos per observation.",
                        },
                        "params": {"max": max_photos},
                    }
                ]
            },
        )
    encoded = reencode(data)
    name = f"{photo_uuid}-{digest[:12]}.jpg"
    table = Photo.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(
            client_uuid=photo_uuid,
            observation_id=observation.id,
            stored_name=name,
            content_type="image/jpeg",
            width=encoded.width,
            height=encoded.height,
            size_bytes=len(encoded.data),
            upload_sha256=digest,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[table.c.client_uuid])
        .returning(table.c.id)
    )
    new_id = db.session.execute(stmt).scalar()
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == photo_uuid))
    assert photo is not None
    if new_id is not None:
        # Only the request that inserted the row stores the bytes (a concurrent twin finds them).
        photo_store.current().save(photo, encoded.data)
        data_stamps.bump(walk_ids=[observation.walk_id])  # partners' and public maps show it
    elif not _same(photo, observation, digest):
        raise Conflict(
            _l("Une autre photo porte déjà cet identifiant."), details={"photo_uuid": str(photo_uuid)}
        )
    return photo, new_id is not None


def resized(data: bytes, side: int, quality: int) -> bytes:
    """A stored photo (JPEG) at most ``side`` pixels on its longest side, re-encoded at ``quality``;
    the bytes as they are when they are already that small or cannot be read as an image.

    For the copies made when asked (a page's thumbnail, a report's print copy): JPEG's own reduced
    decoding (``draft``: 1/2, 1/4… of the pixels, never fewer than asked) does most of the work.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) <= side:
                return data
            image.draft("RGB", (side, side))
            image.thumbnail((side, side))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=quality)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return data
    return out.getvalue()


def read(photo: photo_store.PhotoRef) -> bytes:
    """The stored JPEG of a photo (from whichever store keeps it); NotFound when it is gone."""
    return photo_store.current().read(photo)


def discard(photos: Iterable[photo_store.PhotoRef]) -> None:
    """Remove the bytes of photos whose rows this transaction deletes (see ``photo_store``)."""
    photo_store.discard(photos)
