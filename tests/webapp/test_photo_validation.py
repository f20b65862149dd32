"""Photo validation does not depend on what else the process did (WeasyPrint flips a Pillow flag)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from PIL import Image

from webapp.errors import ValidationError
from webapp.services.photos import reencode


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    image = Image.effect_noise((640, 480), 60).convert("RGB")
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_whole_photo_is_accepted(fmt):
    assert reencode(_image(fmt)).width == 640


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_photo_is_refused_even_after_weasyprint_was_imported(fmt):
    import weasyprint  # noqa: F401  (sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True for the process)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = _image(fmt)
    with pytest.raises(ValidationError) as refused:
        reencode(data[: len(data) * 2 // 3])
    assert refused.value.details["photo"][0]["code"] == "not_an_image"


def test_a_truncated_photo_is_refused_in_a_fresh_process_too():
    # The same check in a process where WeasyPrint was never imported.
    code = (
        "import io, sys; from PIL import Image; from webapp.services.photos import reencode\n"
        "out = io.BytesIO(); Image.effect_noise((320, 240), 60).convert('RGB').save(out, 'JPEG')\n"
        "data = out.getvalue()\n"
        "try:\n    reencode(data[: len(data) // 2])\nexcept Exception as e:\n    print(type(e).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ValidationError"
