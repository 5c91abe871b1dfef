// File attachments: sizes, kinds, the composer's upload queue (pure) and an upload with progress.
import type {FileInfo} from '@mattermost/types/files';

import {client} from '../client';
import {intl} from '../i18n';

export const MAX_FILES = 10;

/** "0 B", "999 B", "1.5 KB", "12 MB" (1024-based, as Mattermost shows them). */
export function formatSize(bytes: number): string {
    if (!Number.isFinite(bytes) || bytes < 0) {
        return '';
    }
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let n = bytes;
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
        n /= 1024;
        i++;
    }
    const i18n = intl();
    const num = i18n.formatNumber(i > 0 && n < 10 ? Math.round(n * 10) / 10 : Math.round(n), {maximumFractionDigits: 1, useGrouping: false});
    return i18n.formatMessage({id: 'file.size', defaultMessage: '{n} {unit, select, B {B} KB {KB} MB {MB} GB {GB} other {TB}}'}, {n: num, unit: units[i]});
}

const KINDS: Array<[string, string[]]> = [
    ['image', ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg', 'tif', 'tiff', 'heic']],
    ['pdf', ['pdf']],
    ['text', ['txt', 'md', 'log', 'csv', 'tsv', 'rtf']],
    ['code', ['js', 'ts', 'tsx', 'jsx', 'py', 'go', 'rs', 'java', 'c', 'h', 'cpp', 'cs', 'rb', 'php', 'sh', 'json', 'yaml', 'yml', 'toml', 'xml', 'html', 'css', 'sql']],
    ['archive', ['zip', 'gz', 'tgz', 'tar', 'bz2', 'xz', '7z', 'rar']],
    ['audio', ['mp3', 'wav', 'ogg', 'flac', 'm4a', 'aac']],
    ['video', ['mp4', 'mov', 'webm', 'mkv', 'avi']],
    ['sheet', ['xls', 'xlsx', 'ods', 'numbers']],
    ['doc', ['doc', 'docx', 'odt', 'pages']],
    ['slides', ['ppt', 'pptx', 'odp', 'key']],
];

/** A coarse kind for choosing an icon: image, pdf, text, code, archive, audio, video, sheet, doc, slides, other. */
export function fileKind(extension: string): string {
    const ext = extension.toLowerCase().replace(/^\./, '');
    for (const [kind, exts] of KINDS) {
        if (exts.includes(ext)) {
            return kind;
        }
    }
    return 'other';
}

/** Images the browser can show as a thumbnail (the server made a preview, or it is small enough). */
export function isImage(f: Pick<FileInfo, 'mime_type' | 'extension' | 'has_preview_image'>): boolean {
    return Boolean(f.has_preview_image) || (f.mime_type?.startsWith('image/') && fileKind(f.extension) === 'image');
}

export function extensionOf(name: string): string {
    const i = name.lastIndexOf('.');
    return i > 0 ? name.slice(i + 1).toLowerCase() : '';
}

export const fileUrl = (id: string) => `/api/v4/files/${id}`;
export const downloadUrl = (id: string) => `/api/v4/files/${id}?download=1`;
export const previewUrl = (id: string) => `/api/v4/files/${id}/preview`;

// ---------------------------------------------------------------- the upload queue

export type Upload = {
    clientId: string;
    name: string;
    size: number;
    loaded: number; // bytes sent so far
    status: 'uploading' | 'done' | 'error';
    error?: string;
    info?: FileInfo;
};

export type QueueAction =
    | {type: 'add'; uploads: Upload[]}
    | {type: 'progress'; clientId: string; loaded: number}
    | {type: 'done'; clientId: string; info: FileInfo}
    | {type: 'error'; clientId: string; error: string}
    | {type: 'remove'; clientId: string}
    | {type: 'clear'}
    // a message that failed to send gets its files back, unless new ones were attached meanwhile
    | {type: 'restore'; uploads: Upload[]};

export function queueReducer(queue: Upload[], action: QueueAction): Upload[] {
    switch (action.type) {
    case 'add':
        return [...queue, ...action.uploads];
    case 'progress':
        return queue.map((u) => (u.clientId === action.clientId && u.status === 'uploading' ? {...u, loaded: Math.min(action.loaded, u.size)} : u));
    case 'done':
        return queue.map((u) => (u.clientId === action.clientId ? {...u, status: 'done', loaded: u.size, info: action.info} : u));
    case 'error':
        return queue.map((u) => (u.clientId === action.clientId ? {...u, status: 'error', error: action.error} : u));
    case 'remove':
        return queue.filter((u) => u.clientId !== action.clientId);
    case 'clear':
        return [];
    case 'restore':
        return queue.length ? queue : action.uploads;
    }
}

/** How many more files fit, given what is queued (failed uploads do not count). */
export function roomFor(queue: Upload[]): number {
    return Math.max(0, MAX_FILES - queue.filter((u) => u.status !== 'error').length);
}

export const queueBusy = (queue: Upload[]) => queue.some((u) => u.status === 'uploading');
export const readyFileIds = (queue: Upload[]) => queue.filter((u) => u.status === 'done' && u.info).map((u) => u.info!.id);

/** Percent 0–100 for a progress bar. */
export function percent(u: Upload): number {
    if (u.status === 'done') {
        return 100;
    }
    return u.size > 0 ? Math.floor((u.loaded / u.size) * 100) : 0;
}

/** A readable message for a failed upload from its HTTP status and Mattermost error body. */
export function uploadError(status: number, body: string, maxSize: number): string {
    let message = '';
    try {
        message = (JSON.parse(body) as {message?: string}).message ?? '';
    } catch {
        // not JSON (a proxy's error page)
    }
    const i18n = intl();
    if (status === 413) {
        return maxSize ? i18n.formatMessage({id: 'composer.file_too_large', defaultMessage: 'File is too large (the limit is {size}).'}, {size: formatSize(maxSize)})
            : i18n.formatMessage({id: 'upload.too_large', defaultMessage: 'File is too large.'});
    }
    if (status === 403) {
        return message || i18n.formatMessage({id: 'upload.forbidden', defaultMessage: 'You do not have permission to upload files here.'});
    }
    if (status === 0) {
        return i18n.formatMessage({id: 'upload.unreachable', defaultMessage: 'The upload failed: cannot reach the server.'});
    }
    return message || i18n.formatMessage({id: 'upload.failed', defaultMessage: 'The upload failed ({status}).'}, {status});
}

let seq = 0;
export function newClientId(): string {
    seq++;
    return `${Date.now().toString(36)}${seq.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * POSTs one file to /api/v4/files with XMLHttpRequest (fetch has no upload progress), authenticated
 * the way Client4 is: the session cookie plus the CSRF header. Resolves with the FileInfo.
 */
export function uploadWithProgress(file: File, channelId: string, clientId: string, maxSize: number,
    onProgress: (loaded: number) => void): {promise: Promise<FileInfo>; abort: () => void} {
    const xhr = new XMLHttpRequest();
    const promise = new Promise<FileInfo>((resolve, reject) => {
        const form = new FormData();
        form.append('channel_id', channelId);
        form.append('client_ids', clientId);
        form.append('files', file, file.name);
        xhr.open('POST', `${client.getUrl()}/api/v4/files`);
        xhr.withCredentials = true;
        xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
        const csrf = client.getCSRFFromCookie();
        if (csrf) {
            xhr.setRequestHeader('X-CSRF-Token', csrf);
        }
        xhr.upload.onprogress = (e) => onProgress(e.loaded);
        xhr.onload = () => {
            if (xhr.status === 201 || xhr.status === 200) {
                try {
                    const res = JSON.parse(xhr.responseText) as {file_infos: FileInfo[]};
                    const info = res.file_infos?.[0];
                    if (info) {
                        resolve(info);
                        return;
                    }
                } catch {
                    // fall through
                }
                reject(new Error(intl().formatMessage({id: 'upload.bad_answer', defaultMessage: 'The server sent an unexpected answer.'})));
            } else {
                reject(new Error(uploadError(xhr.status, xhr.responseText, maxSize)));
            }
        };
        xhr.onerror = () => reject(new Error(uploadError(0, '', maxSize)));
        xhr.onabort = () => reject(new Error(intl().formatMessage({id: 'upload.cancelled', defaultMessage: 'Upload cancelled.'})));
        xhr.send(form);
    });
    return {promise, abort: () => xhr.abort()};
}

/** Files from a paste (images copied to the clipboard arrive without a useful name). */
export function filesFromClipboard(data: DataTransfer | null): File[] {
    if (!data) {
        return [];
    }
    const out: File[] = [];
    for (const item of Array.from(data.items ?? [])) {
        if (item.kind === 'file') {
            const f = item.getAsFile();
            if (f) {
                if (!f.name || f.name === 'image.png') {
                    const ext = f.type.split('/')[1] || 'png';
                    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
                    out.push(new File([f], `Pasted image ${stamp}.${ext}`, {type: f.type}));
                } else {
                    out.push(f);
                }
            }
        }
    }
    return out;
}

/** Files dropped on a channel go to that channel's composer. */
export const DROP_EVENT = 'chinwag:drop-files';
export function dropFiles(channelId: string, rootId: string, files: File[]): void {
    window.dispatchEvent(new CustomEvent(DROP_EVENT, {detail: {channelId, rootId, files}}));
}
