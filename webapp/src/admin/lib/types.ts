// The declarative shape of the System Console: sections → pages → settings.
import type {MessageDescriptor} from 'react-intl';

export type SettingType = 'text' | 'number' | 'bool' | 'select' | 'secret' | 'list' | 'color';

export type Validation = {
    required?: boolean;
    min?: number;
    max?: number;
    maxLength?: number;
    url?: boolean;
    email?: boolean;
    hostPort?: boolean;
};

export type Option = {value: string; label: MessageDescriptor};

export type Setting = {
    /** The config path, "Section.Setting", as in config.json and GET /config. */
    key: string;
    type: SettingType;
    /** chinwag's default (config/schema.py), shown under the help text. */
    default: string | number | boolean | string[];
    label: MessageDescriptor;
    help?: MessageDescriptor;
    options?: Option[];
    validate?: Validation;
    /** A bool setting that must be on for this one to matter (it is disabled otherwise)… */
    dependsOn?: string;
    /** …or, when given, the value `dependsOn` must have (e.g. FileSettings.DriverName = amazons3). */
    dependsOnValue?: string;
    /** Only read at start-up: the page says a restart is needed. */
    restart?: boolean;
    placeholder?: string;
};

export type Action = 'test_s3' | 'test_email' | 'test_ldap' | 'sync_ldap';

export type SettingsPage = {
    kind: 'settings';
    id: string;
    /** The System Console resource (e.g. environment_web_server); none: system admins only. */
    resource?: string;
    title: MessageDescriptor;
    intro?: MessageDescriptor;
    settings: Setting[];
    actions?: Action[];
    /** Shown above the settings: the live cluster nodes (High Availability). */
    extra?: 'cluster_status';
};

/** A page that is not a list of settings (users, teams, logs, statistics, …). */
export type CustomPage = {
    kind: 'custom';
    id: string;
    /** The System Console resource (e.g. user_management_users); none: system admins only. */
    resource?: string;
    title: MessageDescriptor;
    view: 'users' | 'teams' | 'channels' | 'system_analytics' | 'server_logs' | 'jobs' | 'plugins';
};

export type Page = SettingsPage | CustomPage;

export type Section = {
    id: string;
    title: MessageDescriptor;
    pages: Page[];
};
