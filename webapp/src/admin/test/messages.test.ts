// Every message of the System Console is an admin.* id, and an id always stands for one English text.
import {describe, expect, it} from 'vitest';

// the console's sources, as text (Vite's glob import)
const SOURCES = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../test/**'], {query: '?raw', import: 'default', eager: true}) as Record<string, string>;

const PATTERNS = [
    /id: '([^']+)', defaultMessage: '((?:[^'\\]|\\.)*)'/g,
    /id='([^']+)'\s+defaultMessage='([^']*)'/g,
];

describe('console messages', () => {
    it('use admin.* ids with one text each', () => {
        const seen = new Map<string, string>();
        let count = 0;
        for (const [file, text] of Object.entries(SOURCES)) {
            for (const re of PATTERNS) {
                for (const m of text.matchAll(re)) {
                    count++;
                    expect(m[1], `${file}: ${m[1]}`).toMatch(/^admin\./);
                    const before = seen.get(m[1]);
                    if (before !== undefined) {
                        expect(m[2], `${m[1]} has two texts`).toBe(before);
                    }
                    seen.set(m[1], m[2]);
                }
            }
        }
        expect(count).toBeGreaterThan(400);
    });
});
