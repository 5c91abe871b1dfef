// What the rest of the UI needs from the System Console: the guarded route and the menu item.
// The console itself is loaded on demand (its own chunk), and only for system admins and the
// System Console sub-admin roles (anyone holding a sysconsole_read_* permission).
import {Suspense, lazy, useEffect, useMemo} from 'react';
import {useIntl} from 'react-intl';

import {loadRoles} from '../actions';
import {navigate} from '../router';
import {useStore} from '../store';
import {accessFrom, hasConsole, type ConsoleAccess} from './lib/access';
import {isAdminPath} from './lib/paths';

const AdminConsole = lazy(() => import('./components/AdminConsole'));

export {isAdminPath};

export function isSystemAdmin(roles: string | undefined): boolean {
    return (roles || '').split(' ').includes('system_admin');
}

/** What the signed-in user may see of the console, from their system roles' permissions; null while
 * those roles are still loading. */
export function useConsoleAccess(): ConsoleAccess | null {
    const myRoles = useStore((s) => s.me?.roles);
    const stored = useStore((s) => s.roles);
    return useMemo(() => {
        if (myRoles === undefined) {
            return null;
        }
        const names = myRoles.split(' ').filter(Boolean);
        if (names.some((n) => !(n in stored))) {
            return names.includes('system_admin') ? {admin: true, permissions: new Set<string>()} : null;
        }
        const access = accessFrom(names.map((n) => ({name: n, permissions: stored[n]})));
        return names.includes('system_admin') ? {...access, admin: true} : access;
    }, [myRoles, stored]);
}

/** /admin_console/...: the console for a system admin or a sub-admin; anyone else is sent to the start page. */
export function AdminRoute() {
    const access = useConsoleAccess();
    const allowed = access !== null && hasConsole(access);
    useEffect(() => {
        if (access === null) {
            void loadRoles().catch(() => navigate('/', true));
        } else if (!allowed) {
            navigate('/', true);
        }
    }, [access === null, allowed]);
    if (!access || !allowed) {
        return <div className='splash' aria-busy='true'/>;
    }
    return (
        <Suspense fallback={<div className='splash' aria-busy='true'/>}>
            <AdminConsole access={access}/>
        </Suspense>
    );
}

/** The main menu's "System Console" entry: one item for whoever may open the console, none for anyone else. */
export function useSystemConsoleMenuItem(): Array<{label: string; onSelect: () => void}> {
    const intl = useIntl();
    const access = useConsoleAccess();
    const admin = access !== null && hasConsole(access);
    return admin
        ? [{label: intl.formatMessage({id: 'admin.menu.systemConsole', defaultMessage: 'System Console'}), onSelect: () => navigate('/admin_console')}]
        : [];
}
