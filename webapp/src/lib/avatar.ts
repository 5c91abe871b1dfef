// Profile picture editing: choosing a file, and the square crop the user frames by dragging and
// zooming. The viewport shows the image scaled to cover it (zoom 1) or larger; the crop is the part
// of the image under the viewport, taken from the natural image at up to OUTPUT_SIZE pixels square.

export const OUTPUT_SIZE = 512;
export const MAX_ZOOM = 4;

export type Crop = {zoom: number; x: number; y: number}; // x, y: the image's top-left in viewport pixels

/** The scale at which the image just covers a square viewport of side `view`. */
export function coverScale(width: number, height: number, view: number): number {
    return view / Math.min(width, height);
}

/** Keeps the image covering the viewport: zoom within [1, MAX_ZOOM], no gap at any edge. */
export function clampCrop(c: Crop, width: number, height: number, view: number): Crop {
    const zoom = Math.min(MAX_ZOOM, Math.max(1, Number.isFinite(c.zoom) ? c.zoom : 1));
    const s = coverScale(width, height, view) * zoom;
    const clamp = (v: number, size: number) => Math.min(0, Math.max(view - size * s, Number.isFinite(v) ? v : 0));
    return {zoom, x: clamp(c.x, width), y: clamp(c.y, height)};
}

/** The crop that centres the image at zoom 1 (what the server would take). */
export function centredCrop(width: number, height: number, view: number): Crop {
    const s = coverScale(width, height, view);
    return {zoom: 1, x: (view - width * s) / 2, y: (view - height * s) / 2};
}

/** Zooms around the viewport's centre, keeping what is under it in place. */
export function zoomTo(c: Crop, zoom: number, width: number, height: number, view: number): Crop {
    const next = Math.min(MAX_ZOOM, Math.max(1, zoom));
    const ratio = next / c.zoom;
    const mid = view / 2;
    return clampCrop({zoom: next, x: mid - (mid - c.x) * ratio, y: mid - (mid - c.y) * ratio}, width, height, view);
}

/** The square of the natural image under the viewport: source x, y and side, in image pixels. */
export function sourceRect(c: Crop, width: number, height: number, view: number): {sx: number; sy: number; size: number} {
    const s = coverScale(width, height, view) * c.zoom;
    const size = Math.min(view / s, width, height);
    const sx = Math.min(Math.max(0, -c.x / s), width - size);
    const sy = Math.min(Math.max(0, -c.y / s), height - size);
    return {sx, sy, size};
}

/** Why a chosen file cannot be a profile picture ('' when it can): not an image, or over the size limit. */
export function pictureProblem(file: {type: string; size: number}, maxFileSize: number): 'type' | 'size' | '' {
    if (!/^image\/(png|jpeg|gif|bmp|webp|tiff)$/.test(file.type)) {
        return 'type';
    }
    if (maxFileSize > 0 && file.size > maxFileSize) {
        return 'size';
    }
    return '';
}
