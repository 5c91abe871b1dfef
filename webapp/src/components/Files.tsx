// Attachments on a post: image thumbnails (opening a lightbox) and file cards; and the composer's upload list.
import {useEffect, useRef, useState} from 'react';
import {createPortal} from 'react-dom';
import type {FileInfo} from '@mattermost/types/files';
import {FormattedMessage, useIntl} from 'react-intl';

import {downloadUrl, fileKind, fileUrl, formatSize, isImage, percent, previewUrl, type Upload} from '../lib/files';
import {Icon} from './Icon';

const KIND_LABEL: Record<string, string> = {
    image: 'IMG', pdf: 'PDF', text: 'TXT', code: '</>', archive: 'ZIP', audio: 'AUD', video: 'VID',
    sheet: 'XLS', doc: 'DOC', slides: 'PPT', other: 'FILE',
};

export function FileIcon({extension}: {extension: string}) {
    const kind = fileKind(extension);
    return (
        <span className={`file-icon file-icon--${kind}`} aria-hidden='true'>
            {kind === 'other' && extension ? extension.slice(0, 4).toUpperCase() : KIND_LABEL[kind]}
        </span>
    );
}

function Thumb({file, onOpen}: {file: FileInfo; onOpen: (el: HTMLElement) => void}) {
    const intl = useIntl();
    const [loaded, setLoaded] = useState(false);
    const w = file.width || 0;
    const h = file.height || 0;
    // Fit within 320×240 keeping the aspect ratio, so the list does not jump when the image arrives.
    const scale = w && h ? Math.min(1, 320 / w, 240 / h) : 1;
    const style = w && h ? {width: Math.max(48, Math.round(w * scale)), height: Math.max(48, Math.round(h * scale))} : undefined;
    return (
        <button type='button' className='file-thumb' style={style} aria-label={intl.formatMessage({id: 'files.open_image', defaultMessage: 'Open image {name}'}, {name: file.name})}
            title={file.name} onClick={(e) => onOpen(e.currentTarget)}>
            {file.mini_preview && !loaded && (
                <img className='file-thumb__mini' src={`data:image/jpeg;base64,${file.mini_preview}`} alt='' aria-hidden='true'/>
            )}
            <img
                className={`file-thumb__img${loaded ? ' is-loaded' : ''}`}
                src={file.has_preview_image ? previewUrl(file.id) : fileUrl(file.id)}
                alt={file.name}
                loading='lazy'
                onLoad={() => setLoaded(true)}
            />
        </button>
    );
}

export function FileCard({file}: {file: FileInfo}) {
    const intl = useIntl();
    return (
        <div className='file-card'>
            <FileIcon extension={file.extension}/>
            <div className='file-card__text'>
                <a className='file-card__name' href={downloadUrl(file.id)} download={file.name} title={file.name}>{file.name}</a>
                <span className='file-card__meta'>{file.extension ? `${file.extension.toUpperCase()} · ` : ''}{formatSize(file.size)}</span>
            </div>
            <a className='icon-btn icon-btn--small' href={downloadUrl(file.id)} download={file.name} aria-label={intl.formatMessage({id: 'files.download_name', defaultMessage: 'Download {name}'}, {name: file.name})}
                title={intl.formatMessage({id: 'files.download', defaultMessage: 'Download'})}>
                <Icon name='download' size={16}/>
            </a>
        </div>
    );
}

export function Lightbox({files, index, onIndex, onClose}: {
    files: FileInfo[]; index: number; onIndex: (i: number) => void; onClose: () => void;
}) {
    const intl = useIntl();
    const file = files[index];
    const closeRef = useRef<HTMLButtonElement>(null);
    useEffect(() => {
        closeRef.current?.focus();
    }, []);
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                onClose();
            } else if (e.key === 'ArrowRight' && files.length > 1) {
                onIndex((index + 1) % files.length);
            } else if (e.key === 'ArrowLeft' && files.length > 1) {
                onIndex((index - 1 + files.length) % files.length);
            }
        };
        window.addEventListener('keydown', onKey, true);
        return () => window.removeEventListener('keydown', onKey, true);
    }, [index, files.length, onClose, onIndex]);
    if (!file) {
        return null;
    }
    return createPortal(
        <div className='lightbox' role='dialog' aria-modal='true' aria-label={file.name}
            onClick={(e) => {
                if (e.target === e.currentTarget) {
                    onClose();
                }
            }}
            onKeyDown={(e) => {
                // Keep Tab inside the dialog.
                if (e.key !== 'Tab') {
                    return;
                }
                const els = [...e.currentTarget.querySelectorAll<HTMLElement>('a[href], button')];
                const at = els.indexOf(document.activeElement as HTMLElement);
                const next = e.shiftKey ? (at <= 0 ? els.length - 1 : at - 1) : (at + 1) % els.length;
                e.preventDefault();
                els[next]?.focus();
            }}
        >
            <div className='lightbox__bar'>
                <span className='lightbox__name'>{file.name}</span>
                <span className='lightbox__meta'>{formatSize(file.size)}{file.width ? ` · ${file.width}×${file.height}` : ''}</span>
                {files.length > 1 && <span className='lightbox__meta'>{index + 1} / {files.length}</span>}
                <a className='btn btn--small btn--secondary' href={downloadUrl(file.id)} download={file.name}><FormattedMessage id='files.download' defaultMessage='Download'/></a>
                <button ref={closeRef} type='button' className='icon-btn lightbox__close' aria-label={intl.formatMessage({id: 'common.close', defaultMessage: 'Close'})} title={intl.formatMessage({id: 'common.close_esc', defaultMessage: 'Close (Esc)'})} onClick={onClose}>
                    <Icon name='close'/>
                </button>
            </div>
            <img className='lightbox__img' src={file.has_preview_image ? previewUrl(file.id) : fileUrl(file.id)} alt={file.name}/>
            {files.length > 1 && (
                <>
                    <button type='button' className='icon-btn lightbox__nav lightbox__nav--prev' aria-label={intl.formatMessage({id: 'files.previous', defaultMessage: 'Previous image'})}
                        onClick={() => onIndex((index - 1 + files.length) % files.length)}><Icon name='arrow-left'/></button>
                    <button type='button' className='icon-btn lightbox__nav lightbox__nav--next' aria-label={intl.formatMessage({id: 'files.next', defaultMessage: 'Next image'})}
                        onClick={() => onIndex((index + 1) % files.length)}><Icon name='chevron-right'/></button>
                </>
            )}
        </div>,
        document.body,
    );
}

export function FileAttachments({files}: {files: FileInfo[]}) {
    const intl = useIntl();
    const [open, setOpen] = useState(-1);
    const opener = useRef<HTMLElement | null>(null);
    const images = files.filter((f) => isImage(f));
    const others = files.filter((f) => !isImage(f));
    if (!files.length) {
        return null;
    }
    return (
        <div className='files' aria-label={intl.formatMessage({id: 'files.attachments', defaultMessage: 'Attachments'})}>
            {images.length > 0 && (
                <div className='files__images'>
                    {images.map((f, i) => <Thumb key={f.id} file={f} onOpen={(el) => {
                        opener.current = el;
                        setOpen(i);
                    }}/>)}
                </div>
            )}
            {others.length > 0 && (
                <div className='files__cards'>
                    {others.map((f) => <FileCard key={f.id} file={f}/>)}
                </div>
            )}
            {open >= 0 && (
                <Lightbox files={images} index={open} onIndex={setOpen} onClose={() => {
                    setOpen(-1);
                    opener.current?.focus();
                }}/>
            )}
        </div>
    );
}

export function UploadList({queue, onRemove}: {queue: Upload[]; onRemove: (clientId: string) => void}) {
    const intl = useIntl();
    if (!queue.length) {
        return null;
    }
    return (
        <ul className='uploads' aria-label={intl.formatMessage({id: 'files.attached', defaultMessage: 'Attached files'})}>
            {queue.map((u) => (
                <li key={u.clientId} className={`upload upload--${u.status}`}>
                    <FileIcon extension={u.name.includes('.') ? u.name.split('.').pop()! : ''}/>
                    <div className='upload__text'>
                        <span className='upload__name' title={u.name}>{u.name}</span>
                        {u.status === 'error' ? (
                            <span className='upload__error' role='alert'>{u.error}</span>
                        ) : (
                            <span className='upload__meta'>{formatSize(u.size)}{u.status === 'uploading' ? ` · ${intl.formatNumber(percent(u) / 100, {style: 'percent'})}` : ''}</span>
                        )}
                        {u.status === 'uploading' && (
                            <span className='upload__bar' role='progressbar' aria-label={intl.formatMessage({id: 'files.uploading', defaultMessage: 'Uploading {name}'}, {name: u.name})}
                                aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent(u)}>
                                <span style={{width: `${percent(u)}%`}}/>
                            </span>
                        )}
                    </div>
                    <button type='button' className='icon-btn icon-btn--small' aria-label={intl.formatMessage({id: 'files.remove_name', defaultMessage: 'Remove {name}'}, {name: u.name})}
                        title={intl.formatMessage({id: 'common.remove', defaultMessage: 'Remove'})}
                        onClick={() => onRemove(u.clientId)}>
                        <Icon name='close' size={14}/>
                    </button>
                </li>
            ))}
        </ul>
    );
}
