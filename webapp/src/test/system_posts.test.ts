import {describe, expect, it} from 'vitest';
import type {Post} from '@mattermost/types/posts';
import {createIntl} from 'react-intl';

import en from '../i18n/en.json';
import ru from '../i18n/ru.json';
import zh from '../i18n/zh-CN.json';
import {systemPostText} from '../lib/system_posts';

function post(type: string, props: Record<string, unknown>, message = 'stored text'): Post {
    return {id: 'p', type, props, message} as unknown as Post;
}

const intls = {
    en: createIntl({locale: 'en', messages: en}),
    ru: createIntl({locale: 'ru', messages: ru}),
    zh: createIntl({locale: 'zh-CN', messages: zh}),
};

describe('system posts in the reader\'s language', () => {
    it('writes the known types from their props', () => {
        const added = post('system_add_to_channel', {username: 'owner', addedUsername: 'ivan'}, '@ivan added to the channel by @owner.');
        expect(systemPostText(added, intls.en)).toBe('@ivan added to the channel by @owner.');
        expect(systemPostText(added, intls.ru)).toBe('@owner добавляет @ivan в канал.');
        expect(systemPostText(added, intls.zh)).toBe('@owner 已将 @ivan 添加到频道。');
        const joined = post('system_join_channel', {username: 'li'});
        expect(systemPostText(joined, intls.ru)).toBe('@li присоединяется к каналу.');
        const header = post('system_header_change', {username: 'bob', old_header: 'a', new_header: 'b'});
        expect(systemPostText(header, intls.ru)).toBe('@bob меняет заголовок канала: было «a», стало «b»');
        expect(systemPostText(post('system_header_change', {username: 'bob', old_header: 'a', new_header: ''}), intls.zh))
            .toBe('@bob 删除了频道标题（原为：a）');
        expect(systemPostText(post('system_purpose_change', {username: 'bob', old_purpose: '', new_purpose: 'x'}), intls.en))
            .toBe('@bob updated the channel purpose to: x');
    });

    it('falls back to the stored message for other types and missing props', () => {
        expect(systemPostText(post('system_generic', {}), intls.ru)).toBe('stored text');
        expect(systemPostText(post('system_join_channel', {}), intls.ru)).toBe('stored text');
        expect(systemPostText(post('system_add_to_channel', {username: 'x'}), intls.ru)).toBe('stored text');
    });
});
