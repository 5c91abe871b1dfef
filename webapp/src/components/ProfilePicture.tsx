// Account settings → Profile: the profile picture. Choose an image, frame it in a round viewport
// (drag to move, slider or wheel to zoom, arrow keys), save (POST /users/{id}/image with the crop as
// a PNG), or remove it (DELETE /users/{id}/image) to get the generated picture back.
import {useEffect, useRef, useState, type PointerEvent as ReactPointerEvent} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {addUsers} from '../actions';
import {client, errorText} from '../client';
import {centredCrop, clampCrop, coverScale, MAX_ZOOM, OUTPUT_SIZE, pictureProblem, sourceRect, zoomTo, type Crop} from '../lib/avatar';
import {formatSize} from '../lib/files';
import {update, useStore} from '../store';
import {Avatar} from './Avatar';

const VIEW = 200;

type Picked = {url: string; img: HTMLImageElement; name: string};

async function cropToBlob(p: Picked, crop: Crop): Promise<Blob> {
    const {sx, sy, size} = sourceRect(crop, p.img.naturalWidth, p.img.naturalHeight, VIEW);
    const side = Math.min(OUTPUT_SIZE, Math.round(size));
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const g = canvas.getContext('2d');
    if (!g) {
        throw new Error('no canvas');
    }
    g.imageSmoothingQuality = 'high';
    g.drawImage(p.img, sx, sy, size, size, 0, 0, side, side);
    return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no image'))), 'image/png'));
}

export function ProfilePicture() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const maxFileSize = Number(useStore((s) => s.config.MaxFileSize) || 0);
    const [picked, setPicked] = useState<Picked | null>(null);
    const [crop, setCrop] = useState<Crop>({zoom: 1, x: 0, y: 0});
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const input = useRef<HTMLInputElement>(null);
    const drag = useRef<{px: number; py: number; x: number; y: number} | null>(null);

    useEffect(() => () => {
        if (picked) {
            URL.revokeObjectURL(picked.url);
        }
    }, [picked]);

    const refreshMe = async () => {
        const u = await client.getMe();
        addUsers([u]);
        update(() => ({me: u}));
    };

    const choose = (file: File | undefined) => {
        setError('');
        if (!file) {
            return;
        }
        const problem = pictureProblem(file, maxFileSize);
        if (problem === 'type') {
            setError(intl.formatMessage({id: 'picture.bad_type', defaultMessage: 'Choose a PNG, JPEG, GIF, BMP, WebP or TIFF image.'}));
            return;
        }
        if (problem === 'size') {
            setError(intl.formatMessage({id: 'picture.too_large', defaultMessage: 'The image is too large (the limit is {size}).'}, {size: formatSize(maxFileSize)}));
            return;
        }
        const url = URL.createObjectURL(file);
        const img = new Image();
        img.onload = () => {
            setPicked({url, img, name: file.name});
            setCrop(centredCrop(img.naturalWidth, img.naturalHeight, VIEW));
        };
        img.onerror = () => {
            URL.revokeObjectURL(url);
            setError(intl.formatMessage({id: 'picture.unreadable', defaultMessage: 'That file could not be read as an image.'}));
        };
        img.src = url;
    };

    const save = async () => {
        if (!picked) {
            return;
        }
        setBusy(true);
        setError('');
        try {
            const blob = await cropToBlob(picked, crop);
            await client.uploadProfileImage(me.id, new File([blob], 'profile.png', {type: 'image/png'}));
            await refreshMe();
            setPicked(null);
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'picture.save_failed', defaultMessage: 'Could not save the picture.'})));
        } finally {
            setBusy(false);
        }
    };

    const remove = async () => {
        setBusy(true);
        setError('');
        try {
            await client.setDefaultProfileImage(me.id);
            await refreshMe();
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'picture.remove_failed', defaultMessage: 'Could not remove the picture.'})));
        } finally {
            setBusy(false);
        }
    };

    const size = picked ? {w: picked.img.naturalWidth, h: picked.img.naturalHeight} : {w: 1, h: 1};
    const scale = coverScale(size.w, size.h, VIEW) * crop.zoom;
    const move = (dx: number, dy: number) => setCrop((c) => clampCrop({...c, x: c.x + dx, y: c.y + dy}, size.w, size.h, VIEW));
    const zoom = (z: number) => setCrop((c) => zoomTo(c, z, size.w, size.h, VIEW));

    const hasPicture = (me.last_picture_update ?? 0) > 0;
    const heading = intl.formatMessage({id: 'picture.title', defaultMessage: 'Profile picture'});

    return (
        <section className='picture' aria-label={heading}>
            {!picked ? (
                <div className='picture__row'>
                    <Avatar userId={me.id} size={72}/>
                    <div className='picture__text'>
                        <div className='account-head__name'>@{me.username}</div>
                        <div className='muted'>{me.email}</div>
                        <div className='picture__buttons'>
                            <button type='button' className='btn btn--small btn--secondary' disabled={busy} onClick={() => input.current?.click()}>
                                {hasPicture ? <FormattedMessage id='picture.change' defaultMessage='Change picture'/>
                                    : <FormattedMessage id='picture.upload' defaultMessage='Upload a picture'/>}
                            </button>
                            {hasPicture && (
                                <button type='button' className='btn btn--small btn--ghost' disabled={busy} onClick={() => void remove()}>
                                    <FormattedMessage id='picture.remove' defaultMessage='Remove picture'/>
                                </button>
                            )}
                        </div>
                    </div>
                    <input ref={input} type='file' hidden accept='image/png,image/jpeg,image/gif,image/bmp,image/webp,image/tiff'
                        aria-label={intl.formatMessage({id: 'picture.choose', defaultMessage: 'Choose a picture'})} data-testid='picture-input'
                        onChange={(e) => {
                            choose(e.target.files?.[0]);
                            e.target.value = '';
                        }}/>
                </div>
            ) : (
                <div className='picture__editor'>
                    <div
                        className='picture__view'
                        style={{width: VIEW, height: VIEW}}
                        role='img'
                        tabIndex={0}
                        aria-label={intl.formatMessage({id: 'picture.frame', defaultMessage: 'Drag to frame your picture; arrow keys move it, + and − zoom'})}
                        onPointerDown={(e: ReactPointerEvent<HTMLDivElement>) => {
                            e.currentTarget.setPointerCapture(e.pointerId);
                            drag.current = {px: e.clientX, py: e.clientY, x: crop.x, y: crop.y};
                        }}
                        onPointerMove={(e) => {
                            const d = drag.current;
                            if (d) {
                                setCrop((c) => clampCrop({...c, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py}, size.w, size.h, VIEW));
                            }
                        }}
                        onPointerUp={() => {
                            drag.current = null;
                        }}
                        onWheel={(e) => zoom(crop.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1))}
                        onKeyDown={(e) => {
                            const step = e.shiftKey ? 20 : 5;
                            const keys: Record<string, () => void> = {
                                ArrowLeft: () => move(step, 0), ArrowRight: () => move(-step, 0),
                                ArrowUp: () => move(0, step), ArrowDown: () => move(0, -step),
                                '+': () => zoom(crop.zoom * 1.1), '=': () => zoom(crop.zoom * 1.1), '-': () => zoom(crop.zoom / 1.1),
                            };
                            if (keys[e.key]) {
                                e.preventDefault();
                                keys[e.key]();
                            }
                        }}
                    >
                        <img src={picked.url} alt='' draggable={false}
                            style={{width: size.w * scale, height: size.h * scale, transform: `translate(${crop.x}px, ${crop.y}px)`}}/>
                        <span className='picture__mask' aria-hidden='true'/>
                    </div>
                    <label className='field picture__zoom'>
                        <span className='field__label'><FormattedMessage id='picture.zoom' defaultMessage='Zoom'/></span>
                        <input type='range' min={1} max={MAX_ZOOM} step={0.01} value={crop.zoom} onChange={(e) => zoom(Number(e.target.value))}/>
                    </label>
                    <div className='picture__buttons'>
                        <button type='button' className='btn btn--small btn--secondary' disabled={busy} onClick={() => setPicked(null)}>
                            <FormattedMessage id='common.cancel' defaultMessage='Cancel'/>
                        </button>
                        <button type='button' className='btn btn--small btn--primary' disabled={busy} onClick={() => void save()}>
                            <FormattedMessage id='picture.save' defaultMessage='Save picture'/>
                        </button>
                    </div>
                </div>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </section>
    );
}
