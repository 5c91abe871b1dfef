// MessagePack, the part the calls signalling needs: the WebSocket's binary frames (a map with a string
// action, an int seq and a data map holding bytes) and the data channel's messages (a small int type,
// then a bool or a map of maps). https://github.com/msgpack/msgpack/blob/master/spec.md

export type Packable = null | boolean | number | string | Uint8Array | Packable[] | {[key: string]: Packable | undefined};

class Writer {
    private buf = new Uint8Array(64);
    private view = new DataView(this.buf.buffer);
    len = 0;

    private room(n: number): void {
        if (this.len + n <= this.buf.length) {
            return;
        }
        const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
        next.set(this.buf);
        this.buf = next;
        this.view = new DataView(next.buffer);
    }

    byte(b: number): void {
        this.room(1);
        this.buf[this.len++] = b;
    }

    u16(n: number): void {
        this.room(2);
        this.view.setUint16(this.len, n);
        this.len += 2;
    }

    u32(n: number): void {
        this.room(4);
        this.view.setUint32(this.len, n);
        this.len += 4;
    }

    f64(n: number): void {
        this.room(8);
        this.view.setFloat64(this.len, n);
        this.len += 8;
    }

    bytes(b: Uint8Array): void {
        this.room(b.length);
        this.buf.set(b, this.len);
        this.len += b.length;
    }

    out(): Uint8Array {
        return this.buf.slice(0, this.len);
    }
}

function head(w: Writer, n: number, fix: number, fixMax: number, c8: number | null, c16: number, c32: number): void {
    if (n <= fixMax) {
        w.byte(fix | n);
    } else if (c8 !== null && n < 0x100) {
        w.byte(c8);
        w.byte(n);
    } else if (n < 0x10000) {
        w.byte(c16);
        w.u16(n);
    } else {
        w.byte(c32);
        w.u32(n);
    }
}

function int(w: Writer, n: number): void {
    if (n >= 0 && n < 0x80) {
        w.byte(n);
    } else if (n < 0 && n >= -32) {
        w.byte(n & 0xff);
    } else if (n >= 0 && n < 0x100) {
        w.byte(0xcc);
        w.byte(n);
    } else if (n >= 0 && n < 0x10000) {
        w.byte(0xcd);
        w.u16(n);
    } else if (n >= 0 && n < 0x100000000) {
        w.byte(0xce);
        w.u32(n);
    } else if (n < 0 && n >= -0x80000000) {
        w.byte(0xd2);
        w.u32(n >>> 0);
    } else {
        w.byte(0xcb); // larger integers as a float64, exact up to 2^53
        w.f64(n);
    }
}

function write(w: Writer, v: Packable | undefined): void {
    if (v === null || v === undefined) {
        w.byte(0xc0);
    } else if (typeof v === 'boolean') {
        w.byte(v ? 0xc3 : 0xc2);
    } else if (typeof v === 'number') {
        if (Number.isInteger(v)) {
            int(w, v);
        } else {
            w.byte(0xcb);
            w.f64(v);
        }
    } else if (typeof v === 'string') {
        const b = new TextEncoder().encode(v);
        head(w, b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
        w.bytes(b);
    } else if (v instanceof Uint8Array) {
        w.byte(v.length < 0x100 ? 0xc4 : v.length < 0x10000 ? 0xc5 : 0xc6);
        if (v.length < 0x100) {
            w.byte(v.length);
        } else if (v.length < 0x10000) {
            w.u16(v.length);
        } else {
            w.u32(v.length);
        }
        w.bytes(v);
    } else if (Array.isArray(v)) {
        head(w, v.length, 0x90, 15, null, 0xdc, 0xdd);
        v.forEach((x) => write(w, x));
    } else {
        const entries = Object.entries(v).filter(([, x]) => x !== undefined);
        head(w, entries.length, 0x80, 15, null, 0xde, 0xdf);
        for (const [k, x] of entries) {
            write(w, k);
            write(w, x);
        }
    }
}

/** One value as MessagePack. */
export function encode(v: Packable): Uint8Array {
    const w = new Writer();
    write(w, v);
    return w.out();
}

class Reader {
    pos = 0;
    private view: DataView;

    constructor(private buf: Uint8Array) {
        this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }

    private need(n: number): void {
        if (this.pos + n > this.buf.length) {
            throw new Error('msgpack: truncated');
        }
    }

    u8(): number {
        this.need(1);
        return this.buf[this.pos++];
    }

    num(size: 2 | 4 | 8, kind: 'u' | 'i' | 'f'): number {
        this.need(size);
        const at = this.pos;
        this.pos += size;
        if (kind === 'f') {
            return size === 4 ? this.view.getFloat32(at) : this.view.getFloat64(at);
        }
        if (size === 2) {
            return kind === 'u' ? this.view.getUint16(at) : this.view.getInt16(at);
        }
        if (size === 4) {
            return kind === 'u' ? this.view.getUint32(at) : this.view.getInt32(at);
        }
        return Number(kind === 'u' ? this.view.getBigUint64(at) : this.view.getBigInt64(at));
    }

    take(n: number): Uint8Array {
        this.need(n);
        const b = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return b;
    }

    str(n: number): string {
        return new TextDecoder().decode(this.take(n));
    }

    value(): Packable {
        const b = this.u8();
        if (b < 0x80) {
            return b;
        }
        if (b >= 0xe0) {
            return b - 0x100;
        }
        if ((b & 0xf0) === 0x80) {
            return this.map(b & 0x0f);
        }
        if ((b & 0xf0) === 0x90) {
            return this.array(b & 0x0f);
        }
        if ((b & 0xe0) === 0xa0) {
            return this.str(b & 0x1f);
        }
        switch (b) {
        case 0xc0: return null;
        case 0xc2: return false;
        case 0xc3: return true;
        case 0xc4: return this.take(this.u8()).slice();
        case 0xc5: return this.take(this.num(2, 'u')).slice();
        case 0xc6: return this.take(this.num(4, 'u')).slice();
        case 0xca: return this.num(4, 'f');
        case 0xcb: return this.num(8, 'f');
        case 0xcc: return this.u8();
        case 0xcd: return this.num(2, 'u');
        case 0xce: return this.num(4, 'u');
        case 0xcf: return this.num(8, 'u');
        case 0xd0: return (this.u8() << 24) >> 24;
        case 0xd1: return this.num(2, 'i');
        case 0xd2: return this.num(4, 'i');
        case 0xd3: return this.num(8, 'i');
        case 0xd9: return this.str(this.u8());
        case 0xda: return this.str(this.num(2, 'u'));
        case 0xdb: return this.str(this.num(4, 'u'));
        case 0xdc: return this.array(this.num(2, 'u'));
        case 0xdd: return this.array(this.num(4, 'u'));
        case 0xde: return this.map(this.num(2, 'u'));
        case 0xdf: return this.map(this.num(4, 'u'));
        default: throw new Error(`msgpack: unsupported type 0x${b.toString(16)}`);
        }
    }

    private array(n: number): Packable[] {
        const out: Packable[] = [];
        for (let i = 0; i < n; i++) {
            out.push(this.value());
        }
        return out;
    }

    private map(n: number): {[key: string]: Packable} {
        const out: {[key: string]: Packable} = {};
        for (let i = 0; i < n; i++) {
            const k = this.value();
            out[String(k)] = this.value();
        }
        return out;
    }
}

/** The values one after another in `buf` (a data channel message is a type, then maybe a payload). */
export function decodeAll(buf: Uint8Array): Packable[] {
    const r = new Reader(buf);
    const out: Packable[] = [];
    while (r.pos < buf.length) {
        out.push(r.value());
    }
    return out;
}
