// Who sees what in the System Console: a system admin sees and edits everything; a sub-admin (System
// Manager, User Manager, Read-only Admin, or any role given sysconsole_* permissions) sees the pages
// whose resource they may read (sysconsole_read_<resource>) and edits those they may write
// (sysconsole_write_<resource>), as Mattermost's admin definition does with its RESOURCE_KEYS. The
// server filters GET/PUT /config by the same resources (src/chinwag/config/access.py).
import type {Page, Section} from './types';

export type ConsoleAccess = {
    /** manage_system: everything. */
    admin: boolean;
    /** Every permission the user's system roles grant. */
    permissions: ReadonlySet<string>;
};

export const NO_ACCESS: ConsoleAccess = {admin: false, permissions: new Set()};

/** The access a user's system roles give (`roles`: the stored roles with their permissions). */
export function accessFrom(roles: Array<{name: string; permissions: string[]}>): ConsoleAccess {
    const permissions = new Set(roles.flatMap((r) => r.permissions));
    return {admin: permissions.has('manage_system'), permissions};
}

/** Whether the user may open the System Console at all (any sysconsole_read_* permission). */
export function hasConsole(access: ConsoleAccess): boolean {
    if (access.admin) {
        return true;
    }
    for (const p of access.permissions) {
        if (p.startsWith('sysconsole_read_')) {
            return true;
        }
    }
    return false;
}

export function canRead(access: ConsoleAccess, page: Page): boolean {
    if (access.admin) {
        return true;
    }
    return Boolean(page.resource) && (access.permissions.has(`sysconsole_read_${page.resource}`) ||
        access.permissions.has(`sysconsole_write_${page.resource}`));
}

export function canWrite(access: ConsoleAccess, page: Page): boolean {
    return access.admin || (Boolean(page.resource) && access.permissions.has(`sysconsole_write_${page.resource}`));
}

/** The sections with only the pages the user may read (sections left empty are dropped). */
export function readableSections(access: ConsoleAccess, sections: Section[]): Section[] {
    return sections
        .map((s) => ({...s, pages: s.pages.filter((p) => canRead(access, p))}))
        .filter((s) => s.pages.length > 0);
}

/** Where /admin_console leads: the first page the user may read. */
export function firstPagePath(access: ConsoleAccess, sections: Section[]): string | null {
    const [section] = readableSections(access, sections);
    return section ? `/admin_console/${section.id}/${section.pages[0].id}` : null;
}
