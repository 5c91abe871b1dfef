import {describe, expect, it} from 'vitest';

import {centredCrop, clampCrop, coverScale, MAX_ZOOM, pictureProblem, sourceRect, zoomTo} from '../lib/avatar';

const VIEW = 200;

describe('profile picture crop', () => {
    it('covers the viewport with the short side', () => {
        expect(coverScale(400, 200, VIEW)).toBe(1);
        expect(coverScale(100, 1000, VIEW)).toBe(2);
    });

    it('starts centred, taking the square the server would take', () => {
        const c = centredCrop(400, 200, VIEW);
        expect(c).toEqual({zoom: 1, x: -100, y: 0});
        expect(sourceRect(c, 400, 200, VIEW)).toEqual({sx: 100, sy: 0, size: 200});
        expect(sourceRect(centredCrop(300, 600, VIEW), 300, 600, VIEW)).toEqual({sx: 0, sy: 150, size: 300});
    });

    it('never leaves a gap at an edge', () => {
        expect(clampCrop({zoom: 1, x: 50, y: 10}, 400, 200, VIEW)).toEqual({zoom: 1, x: 0, y: 0});
        expect(clampCrop({zoom: 1, x: -500, y: -10}, 400, 200, VIEW)).toEqual({zoom: 1, x: -200, y: 0});
        expect(clampCrop({zoom: 0.2, x: 0, y: 0}, 400, 200, VIEW).zoom).toBe(1);
        expect(clampCrop({zoom: 99, x: 0, y: 0}, 400, 200, VIEW).zoom).toBe(MAX_ZOOM);
        expect(clampCrop({zoom: Number.NaN, x: Number.NaN, y: 0}, 400, 200, VIEW)).toEqual({zoom: 1, x: 0, y: 0});
    });

    it('zooms around the centre of the viewport', () => {
        const c = zoomTo(centredCrop(200, 200, VIEW), 2, 200, 200, VIEW);
        expect(c).toEqual({zoom: 2, x: -100, y: -100});
        // the middle half of the image
        expect(sourceRect(c, 200, 200, VIEW)).toEqual({sx: 50, sy: 50, size: 100});
        // zooming back out returns to the whole image
        expect(sourceRect(zoomTo(c, 1, 200, 200, VIEW), 200, 200, VIEW)).toEqual({sx: 0, sy: 0, size: 200});
    });

    it('maps a dragged frame to the image pixels under it', () => {
        const c = clampCrop({zoom: 2, x: -300, y: -50}, 400, 200, VIEW);
        // scale 2: the viewport shows 100×100 image pixels starting at (150, 25)
        expect(sourceRect(c, 400, 200, VIEW)).toEqual({sx: 150, sy: 25, size: 100});
    });

    it('accepts common image types within the size limit', () => {
        expect(pictureProblem({type: 'image/png', size: 1000}, 5000)).toBe('');
        expect(pictureProblem({type: 'image/jpeg', size: 1000}, 0)).toBe('');
        expect(pictureProblem({type: 'image/svg+xml', size: 10}, 5000)).toBe('type');
        expect(pictureProblem({type: 'application/pdf', size: 10}, 5000)).toBe('type');
        expect(pictureProblem({type: 'image/webp', size: 6000}, 5000)).toBe('size');
    });
});
