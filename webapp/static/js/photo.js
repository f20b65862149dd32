// Photos are resized on the phone before they are queued: a 12-megapixel photo becomes a JPEG of a few
// hundred kilobytes, and the canvas copy carries no EXIF (no GPS). The server re-encodes it anyway.

/** The photo as a JPEG Blob whose longest side is at most maxSide pixels, turned upright. */
export async function resizePhoto(file, maxSide = 1600, quality = 0.8) {
  let source;
  try {
    source = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (error) {
    source = await new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error('unreadable'));
      img.src = URL.createObjectURL(file);
    });
  }
  const width = source.width || source.naturalWidth;
  const height = source.height || source.naturalHeight;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  canvas.getContext('2d').drawImage(source, 0, 0, canvas.width, canvas.height);
  if (source.close) source.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) throw new Error('unreadable');
  return blob;
}
