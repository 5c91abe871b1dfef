// Site statistics and server log helpers.

export type Row = {name: string; value: number};

export function rowsToMap(rows: Row[] | null | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of rows || []) {
        out[r.name] = r.value;
    }
    return out;
}

/** Where Prometheus scrapes: the Site URL's host on the metrics listener's port (its host when it names one). */
export function metricsUrl(siteUrl: string, listenAddress: string): string | null {
    const m = /^(.*):(\d{1,5})$/.exec(listenAddress.trim());
    if (!m) {
        return null;
    }
    let host: string;
    try {
        host = new URL(siteUrl).hostname;
    } catch {
        return null;
    }
    const bind = m[1].replace(/^\[|\]$/g, '');
    if (bind && bind !== '0.0.0.0' && bind !== '::') {
        host = bind;
    }
    if (host.includes(':')) {
        host = `[${host}]`;
    }
    return `http://${host}:${m[2]}/metrics`;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogLine = {raw: string; level: LogLevel | ''; time: string; msg: string; fields: Record<string, unknown>};

const LEVEL_ALIASES: Record<string, LogLevel> = {
    debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', critical: 'error', fatal: 'error', exception: 'error',
};

/** One line of the server's log file: JSON (LogSettings.FileJson) or plain text. */
export function parseLogLine(raw: string): LogLine {
    try {
        const obj = JSON.parse(raw);
        if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
            const {level, timestamp, time, event, msg, ...fields} = obj as Record<string, unknown>;
            return {
                raw,
                level: LEVEL_ALIASES[String(level || '').toLowerCase()] || '',
                time: String(timestamp ?? time ?? ''),
                msg: String(event ?? msg ?? ''),
                fields,
            };
        }
    } catch {
        // plain text
    }
    // chinwag's plain lines: "2026-01-02 15:04:05.000 Z info message caller=… key=value"
    const plain = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? Z) (\w+) (.*)$/.exec(raw);
    if (plain) {
        return {raw, level: LEVEL_ALIASES[plain[2].toLowerCase()] || '', time: plain[1], msg: plain[3], fields: {}};
    }
    const m = /\b(debug|info|warn(?:ing)?|error|critical)\b/i.exec(raw);
    return {raw, level: m ? LEVEL_ALIASES[m[1].toLowerCase()] || '' : '', time: '', msg: raw, fields: {}};
}

/** Lines at or above `min` whose text contains `term` (case-insensitive). */
export function filterLogs(lines: LogLine[], min: LogLevel | '', term: string): LogLine[] {
    const floor = min ? LEVELS.indexOf(min) : -1;
    const needle = term.trim().toLowerCase();
    return lines.filter((l) => (floor < 0 || (l.level !== '' && LEVELS.indexOf(l.level) >= floor))
        && (!needle || l.raw.toLowerCase().includes(needle)));
}
