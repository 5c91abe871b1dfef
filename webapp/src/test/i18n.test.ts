/// <reference types="node" />
// The message catalogs against the source: every id used in src/ (extracted with the pinned
// @formatjs/cli, as `npm run i18n:extract` does) must be in en.json with its English text, and in
// every translation; no catalog may keep an id the source no longer uses; every translation must
// parse as ICU MessageFormat and use the same placeholders and tags as the English; Russian plurals
// must give the one/few/many forms. Then locale choice, dates and plurals in each language.
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {parse, TYPE, type MessageFormatElement} from '@formatjs/icu-messageformat-parser';
import {describe, expect, it} from 'vitest';

import {activateLocale, availableLocales, intl, LANGUAGES, pickLocale, supportedLocale} from '../i18n';
import {seenByText} from '../lib/receipts';
import {formatDay, formatTime} from '../lib/posts';
import {formatSize} from '../lib/files';
import {typingText} from '../components/TypingIndicator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const I18N = join(ROOT, 'src', 'i18n');
const TRANSLATIONS = LANGUAGES.map((l) => l.code).filter((c) => c !== 'en');

type Catalog = Record<string, string>;

function catalog(code: string): Catalog {
    return JSON.parse(readFileSync(join(I18N, `${code}.json`), 'utf8'));
}

function extracted(): Catalog {
    const bin = join(ROOT, 'node_modules', '.bin', 'formatjs');
    const out = execFileSync(bin, ['extract', 'src/**/*.{ts,tsx}', '--ignore', 'src/**/*.test.*', '--format', 'simple', '--throws'],
        {cwd: ROOT, encoding: 'utf8'});
    return JSON.parse(out);
}

const HOW_TO = 'Run `npm run i18n:extract` in webapp/ (it rewrites src/i18n/en.json from the sources), then add every new id ' +
    'to each translation (src/i18n/ru.json, src/i18n/zh-CN.json) with a translated message using the same {placeholders} ' +
    'and <tags> as the English, and remove ids the sources no longer use. Ids of any area are welcome (admin.* included): ' +
    'only their presence in every catalog is checked.';

/** Argument names (with their kind) and tag names used by a message, sorted. A message that is not
 * valid ICU (e.g. a literal "<site URL>") is compared by its {…} and <…> pieces as text. */
function shape(message: string): string[] {
    try {
        parse(message);
    } catch {
        return [...new Set(message.match(/\{[^{}]*\}|<[^<>]*>/g) ?? [])].sort();
    }
    const out = new Set<string>();
    const walk = (els: MessageFormatElement[]) => {
        for (const el of els) {
            switch (el.type) {
            case TYPE.argument:
            case TYPE.number:
            case TYPE.date:
            case TYPE.time:
                out.add(`{${el.value}}`);
                break;
            case TYPE.select:
            case TYPE.plural:
                out.add(`{${el.value}}`);
                Object.values(el.options).forEach((o) => walk(o.value));
                break;
            case TYPE.tag:
                out.add(`<${el.value}>`);
                walk(el.children);
                break;
            default:
                break;
            }
        }
    };
    walk(parse(message));
    return [...out].sort();
}

/** The plural categories each plural argument of a message offers. */
function pluralForms(message: string): string[][] {
    const found: string[][] = [];
    const walk = (els: MessageFormatElement[]) => {
        for (const el of els) {
            if (el.type === TYPE.plural) {
                found.push(Object.keys(el.options));
                Object.values(el.options).forEach((o) => walk(o.value));
            } else if (el.type === TYPE.select) {
                Object.values(el.options).forEach((o) => walk(o.value));
            } else if (el.type === TYPE.tag) {
                walk(el.children);
            }
        }
    };
    try {
        walk(parse(message));
    } catch {
        // not valid ICU (compared as text above): no plural to check
    }
    return found;
}

describe('message catalogs', () => {
    const source = extracted();
    const en = catalog('en');

    it('en.json is what the sources define', () => {
        const missing = Object.keys(source).filter((id) => !(id in en));
        const stale = Object.keys(en).filter((id) => !(id in source));
        const changed = Object.keys(source).filter((id) => id in en && en[id] !== source[id]);
        const problems = [
            missing.length ? `ids missing from en.json: ${missing.join(', ')}` : '',
            stale.length ? `stale ids in en.json: ${stale.join(', ')}` : '',
            changed.length ? `English text changed in the sources: ${changed.join(', ')}` : '',
        ].filter(Boolean);
        expect(problems, `${problems.join('\n')}\n${HOW_TO}`).toEqual([]);
        expect(Object.keys(source).length).toBeGreaterThan(300);
    });

    it('ids are dotted names', () => {
        const bad = Object.keys(source).filter((id) => !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(id));
        expect(bad).toEqual([]);
    });

    for (const code of TRANSLATIONS) {
        it(`${code}.json has exactly the source ids`, () => {
            const tr = catalog(code);
            const missing = Object.keys(source).filter((id) => !(id in tr));
            const stale = Object.keys(tr).filter((id) => !(id in source));
            const problems = [
                missing.length ? `${code}.json lacks ${missing.length} id(s): ${missing.join(', ')}` : '',
                stale.length ? `${code}.json has ${stale.length} id(s) the sources no longer use: ${stale.join(', ')}` : '',
            ].filter(Boolean);
            expect(problems, `${problems.join('\n')}\n${HOW_TO}`).toEqual([]);
        });

        it(`${code}.json messages parse and keep the English placeholders and tags`, () => {
            const tr = catalog(code);
            const bad: string[] = [];
            for (const [id, message] of Object.entries(tr)) {
                if (!(id in source) || !message.trim()) {
                    bad.push(`${id}: empty or unknown`);
                    continue;
                }
                try {
                    const want = shape(source[id]);
                    const got = shape(message);
                    if (want.join() !== got.join()) {
                        bad.push(`${id}: ${got.join(' ')} ≠ English ${want.join(' ')}`);
                    }
                } catch (e) {
                    bad.push(`${id}: ${(e as Error).message}`);
                }
            }
            expect(bad, `${HOW_TO}`).toEqual([]);
        });
    }

    it('Russian plurals give the one, few and many forms', () => {
        const ru = catalog('ru');
        const bad = Object.entries(ru).filter(([, m]) => pluralForms(m).some((forms) =>
            !['one', 'few', 'many'].every((f) => forms.includes(f)) || !forms.includes('other')));
        expect(bad.map(([id]) => id)).toEqual([]);
        expect(Object.values(ru).filter((m) => pluralForms(m).length).length).toBeGreaterThan(10);
    });

    it('Chinese plurals need only the other form', () => {
        const zh = catalog('zh-CN');
        const bad = Object.entries(zh).filter(([, m]) => pluralForms(m).some((forms) => !forms.includes('other')));
        expect(bad.map(([id]) => id)).toEqual([]);
    });
});

describe('choosing the language', () => {
    it('maps locale codes to the supported ones', () => {
        expect(supportedLocale('ru')).toBe('ru');
        expect(supportedLocale('ru-RU')).toBe('ru');
        expect(supportedLocale('zh_CN')).toBe('zh-CN');
        expect(supportedLocale('zh')).toBe('zh-CN');
        expect(supportedLocale('EN')).toBe('en');
        expect(supportedLocale('de')).toBeNull();
        expect(supportedLocale('')).toBeNull();
    });

    it('takes the user locale, else DefaultClientLocale, else English, among AvailableLocales', () => {
        expect(pickLocale('ru', {})).toBe('ru');
        expect(pickLocale('', {DefaultClientLocale: 'zh-CN'})).toBe('zh-CN');
        expect(pickLocale('de', {DefaultClientLocale: 'ru'})).toBe('ru');
        expect(pickLocale(undefined, {})).toBe('en');
        expect(pickLocale('ru', {AvailableLocales: 'en,zh-CN'})).toBe('en');
        expect(pickLocale('ru', {AvailableLocales: 'zh-CN', DefaultClientLocale: 'zh-CN'})).toBe('zh-CN');
        expect(pickLocale('ru', {AvailableLocales: 'zh-CN'})).toBe('zh-CN');
    });

    it('offers the supported locales the server allows', () => {
        expect(availableLocales({})).toEqual(['en', 'ru', 'zh-CN']);
        expect(availableLocales({AvailableLocales: 'ru, en'})).toEqual(['en', 'ru']);
        expect(availableLocales({AvailableLocales: 'de,fr'})).toEqual(['en', 'ru', 'zh-CN']);
    });
});

describe('formatting by locale', () => {
    const now = new Date(2026, 11, 6, 15, 0).getTime();
    const at = (d: number, h = 9, m = 5) => new Date(2026, 11, d, h, m).getTime();

    it('speaks Russian: date separators, times and plural forms', async () => {
        const ru = await activateLocale('ru');
        expect(intl().locale).toBe('ru');
        expect(formatDay(at(6), now, ru)).toBe('Сегодня');
        expect(formatDay(at(5), now, ru)).toBe('Вчера');
        expect(formatDay(at(1), now, ru)).toMatch(/1 декабря/);
        expect(formatTime(at(6, 15, 7), ru)).toBe('15:07');
        const replies = (n: number) => ru.formatMessage({id: 'thread.reply_count'}, {count: n});
        expect([1, 2, 5, 11, 21, 22, 25].map(replies)).toEqual(
            ['1 ответ', '2 ответа', '5 ответов', '11 ответов', '21 ответ', '22 ответа', '25 ответов']);
        expect(typingText(['Аня', 'Борис', 'Вера'], ru)).toBe('Аня, Борис и Вера печатают…');
        expect(typingText(['Аня'], ru)).toBe('Аня печатает…');
        expect(seenByText(['a', 'b', 'c', 'd', 'e'], false, ru)).toBe('Прочитали: a, b, c и ещё 2 человека');
        expect(formatSize(1536)).toBe('1,5 КБ');
    });

    it('speaks Chinese', async () => {
        const zh = await activateLocale('zh-CN');
        expect(formatDay(at(6), now, zh)).toBe('今天');
        expect(formatDay(at(1), now, zh)).toMatch(/12月1日/);
        expect(zh.formatMessage({id: 'thread.reply_count'}, {count: 3})).toBe('3 条回复');
        expect(typingText(['小王', '小李'], zh)).toBe('小王和小李正在输入…');
    });

    it('falls back to English', async () => {
        const en = await activateLocale('en');
        expect(formatDay(at(6), now, en)).toBe('Today');
        expect(en.formatMessage({id: 'thread.reply_count', defaultMessage: '{count, plural, one {# reply} other {# replies}}'}, {count: 1}))
            .toBe('1 reply');
        expect(formatSize(1536)).toBe('1.5 KB');
    });
});
