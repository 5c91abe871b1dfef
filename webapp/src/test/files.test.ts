import {describe, expect, it} from 'vitest';

import {
    extensionOf, fileKind, formatSize, isImage, MAX_FILES, percent, queueBusy, queueReducer, readyFileIds, roomFor,
    uploadError, type Upload,
} from '../lib/files';
import {isSlashCommand, localPath, slashTrigger} from '../lib/slash';
import type {FileInfo} from '@mattermost/types/files';

const info = (id: string) => ({id, name: `${id}.txt`} as FileInfo);
const up = (clientId: string, over: Partial<Upload> = {}): Upload => ({clientId, name: `${clientId}.png`, size: 1000, loaded: 0, status: 'uploading', ...over});

describe('formatSize', () => {
    it('uses 1024-based units with one decimal below ten', () => {
        expect(formatSize(0)).toBe('0 B');
        expect(formatSize(1023)).toBe('1023 B');
        expect(formatSize(1024)).toBe('1 KB');
        expect(formatSize(1536)).toBe('1.5 KB');
        expect(formatSize(50 * 1024 * 1024)).toBe('50 MB');
        expect(formatSize(3.25 * 1024 ** 3)).toBe('3.3 GB');
        expect(formatSize(-1)).toBe('');
    });
});

describe('file kinds', () => {
    it('maps extensions to icon kinds', () => {
        expect(fileKind('PNG')).toBe('image');
        expect(fileKind('.pdf')).toBe('pdf');
        expect(fileKind('txt')).toBe('text');
        expect(fileKind('py')).toBe('code');
        expect(fileKind('tar')).toBe('archive');
        expect(fileKind('xyz')).toBe('other');
        expect(fileKind('')).toBe('other');
    });
    it('knows images from previews or image mime types', () => {
        expect(isImage({mime_type: 'image/png', extension: 'png', has_preview_image: true})).toBe(true);
        expect(isImage({mime_type: 'image/gif', extension: 'gif', has_preview_image: false})).toBe(true);
        expect(isImage({mime_type: 'text/plain', extension: 'txt', has_preview_image: false})).toBe(false);
        expect(isImage({mime_type: 'image/x-foo', extension: 'foo', has_preview_image: false})).toBe(false);
    });
    it('takes the extension from a name', () => {
        expect(extensionOf('Report.Final.PDF')).toBe('pdf');
        expect(extensionOf('.bashrc')).toBe('');
        expect(extensionOf('README')).toBe('');
    });
});

describe('upload queue', () => {
    it('tracks progress, completion, errors and removal', () => {
        let q = queueReducer([], {type: 'add', uploads: [up('a'), up('b')]});
        expect(queueBusy(q)).toBe(true);
        q = queueReducer(q, {type: 'progress', clientId: 'a', loaded: 400});
        expect(percent(q[0])).toBe(40);
        q = queueReducer(q, {type: 'progress', clientId: 'a', loaded: 5000});
        expect(q[0].loaded).toBe(1000); // clamped to the size
        q = queueReducer(q, {type: 'done', clientId: 'a', info: info('f1')});
        expect(percent(q[0])).toBe(100);
        q = queueReducer(q, {type: 'error', clientId: 'b', error: 'File is too large.'});
        expect(queueBusy(q)).toBe(false);
        expect(readyFileIds(q)).toEqual(['f1']);
        // Late progress for a finished upload changes nothing.
        expect(queueReducer(q, {type: 'progress', clientId: 'a', loaded: 1})[0].loaded).toBe(1000);
        q = queueReducer(q, {type: 'remove', clientId: 'a'});
        expect(q.map((u) => u.clientId)).toEqual(['b']);
        expect(queueReducer(q, {type: 'clear'})).toEqual([]);
        // A message that failed gives its files back to an empty queue, not over files attached since.
        expect(queueReducer([], {type: 'restore', uploads: q})).toEqual(q);
        expect(queueReducer([up('c')], {type: 'restore', uploads: q}).map((u) => u.clientId)).toEqual(['c']);
    });
    it('leaves room for at most ten files, not counting failed ones', () => {
        const q = Array.from({length: 9}, (_, i) => up(`u${i}`));
        expect(roomFor(q)).toBe(1);
        expect(roomFor([...q, up('x', {status: 'error'})])).toBe(1);
        expect(roomFor([...q, up('y'), up('z')])).toBe(0);
        expect(MAX_FILES).toBe(10);
    });
    it('explains failed uploads', () => {
        expect(uploadError(413, '', 1024 * 1024)).toBe('File is too large (the limit is 1 MB).');
        expect(uploadError(403, JSON.stringify({message: 'You do not have the appropriate permissions.'}), 0))
            .toBe('You do not have the appropriate permissions.');
        expect(uploadError(403, '<html>', 0)).toBe('You do not have permission to upload files here.');
        expect(uploadError(0, '', 0)).toMatch(/cannot reach the server/);
        expect(uploadError(500, '{"message":"boom"}', 0)).toBe('boom');
        expect(uploadError(502, 'Bad gateway', 0)).toBe('The upload failed (502).');
    });
});

describe('slash commands', () => {
    it('detects commands but not paths or a lone slash', () => {
        expect(isSlashCommand('/echo hello')).toBe(true);
        expect(isSlashCommand('  /shrug')).toBe(true);
        expect(isSlashCommand('/')).toBe(false);
        expect(isSlashCommand('/ nope')).toBe(false);
        expect(isSlashCommand('//comment')).toBe(false);
        expect(isSlashCommand('see /etc/hosts')).toBe(false);
    });
    it('suggests while the command word is typed', () => {
        expect(slashTrigger('/', 1)).toBe('/');
        expect(slashTrigger('/ec', 3)).toBe('/ec');
        expect(slashTrigger('/echo hi', 8)).toBeNull();
        expect(slashTrigger('/ec', 1)).toBeNull();
        expect(slashTrigger('hi /ec', 6)).toBeNull();
        expect(slashTrigger('//x', 3)).toBeNull();
    });
    it('follows goto_location on this site only in place', () => {
        expect(localPath('/acme/channels/off-topic', 'http://x')).toBe('/acme/channels/off-topic');
        expect(localPath('http://x/acme/channels/a?b=1', 'http://x')).toBe('/acme/channels/a?b=1');
        expect(localPath('https://example.com/page', 'http://x')).toBeNull();
        expect(localPath('//evil.example/x', 'http://x')).toBeNull();
    });
});

describe('integrations helpers', () => {
    it('builds incoming webhook URLs and splits lists', async () => {
        const {incomingHookUrl, normaliseTrigger, splitList} = await import('../lib/integrations');
        expect(incomingHookUrl('https://chat.example.com/', 'abc')).toBe('https://chat.example.com/hooks/abc');
        expect(splitList(' deploy, build ,,deploy\nship ')).toEqual(['deploy', 'build', 'ship']);
        expect(splitList('http://a/x\n\nhttp://b/y', /\n/)).toEqual(['http://a/x', 'http://b/y']);
        expect(normaliseTrigger('/Deploy')).toEqual({trigger: 'deploy', error: ''});
        expect(normaliseTrigger('  ').error).toMatch(/required/);
        expect(normaliseTrigger('two words').error).toMatch(/spaces/);
    });
    it('routes to integration tabs', async () => {
        const {parseRoute, paths} = await import('../lib/routes');
        expect(parseRoute('/acme/integrations')).toEqual({name: 'integrations', team: 'acme', tab: 'incoming_webhooks'});
        expect(parseRoute('/acme/integrations/bots')).toEqual({name: 'integrations', team: 'acme', tab: 'bots'});
        expect(parseRoute('/acme/integrations/nope').name).toBe('notfound');
        expect(paths.integrations('acme', 'commands')).toBe('/acme/integrations/commands');
    });
});
