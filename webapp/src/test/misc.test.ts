import {beforeAll, describe, expect, it} from 'vitest';

import {applyCompletion, triggerAt} from '../lib/autocomplete';
import {emojiFor, loadEmoji, searchEmoji} from '../lib/emoji';
import {parseRoute} from '../lib/routes';
import {typingText} from '../components/TypingIndicator';

describe('routes', () => {
    it('parses Mattermost-style URLs', () => {
        expect(parseRoute('/')).toEqual({name: 'root'});
        expect(parseRoute('/login')).toEqual({name: 'login'});
        expect(parseRoute('/acme/channels/town-square')).toEqual({name: 'channel', team: 'acme', channel: 'town-square'});
        expect(parseRoute('/acme/messages/@Bob')).toEqual({name: 'dm', team: 'acme', username: 'bob'});
        expect(parseRoute('/acme/messages/abc123')).toEqual({name: 'gm', team: 'acme', channel: 'abc123'});
        expect(parseRoute('/acme/threads')).toEqual({name: 'threads', team: 'acme'});
        expect(parseRoute('/acme/threads/p1')).toEqual({name: 'threads', team: 'acme', threadId: 'p1'});
        expect(parseRoute('/acme/pl/p1')).toEqual({name: 'permalink', team: 'acme', postId: 'p1'});
        expect(parseRoute('/acme')).toEqual({name: 'channel', team: 'acme', channel: 'town-square'});
        expect(parseRoute('/acme/what/ever/else').name).toBe('notfound');
    });
});

describe('autocomplete triggers', () => {
    it('finds the @, ~ or : word before the caret', () => {
        expect(triggerAt('hello @al', 9)).toEqual({kind: '@', term: 'al', start: 6, end: 9});
        expect(triggerAt('@', 1)).toEqual({kind: '@', term: '', start: 0, end: 1});
        expect(triggerAt('see ~town', 9)).toEqual({kind: '~', term: 'town', start: 4, end: 9});
        expect(triggerAt('nice :ta', 8)).toEqual({kind: ':', term: 'ta', start: 5, end: 8});
        expect(triggerAt('nice :t', 7)).toBeNull();
        expect(triggerAt('mail bob@exa', 12)).toBeNull();
        expect(triggerAt('hello @al ', 10)).toBeNull();
    });

    it('replaces the word with the completion and a space', () => {
        const t = triggerAt('hi @al there', 6)!;
        expect(applyCompletion('hi @al there', t, '@alice')).toEqual({text: 'hi @alice  there', caret: 10});
        const t2 = triggerAt('hi @al', 6)!;
        expect(applyCompletion('hi @al', t2, '@alice')).toEqual({text: 'hi @alice ', caret: 10});
    });
});

describe('emoji', () => {
    beforeAll(loadEmoji);

    it('maps names and aliases', () => {
        expect(emojiFor('+1')).toBe('👍');
        expect(emojiFor('thumbsup')).toBe('👍');
        expect(emojiFor('nope')).toBeUndefined();
    });

    it('searches with prefix matches first', () => {
        const names = searchEmoji('heart').map((e) => e.name);
        expect(names[0]).toBe('heart');
        expect(names).toContain('heart_eyes');
        expect(names).toContain('broken_heart');
    });
});

it('says who is typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['alice'])).toBe('alice is typing…');
    expect(typingText(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingText(['a', 'b', 'c'])).toBe('a, b, and c are typing…');
});
