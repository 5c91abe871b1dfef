// The integration forms: values for a new or an existing item, and the request body from them.
import {describe, expect, it} from 'vitest';

import {botSpec, commandSpec, incomingSpec, outgoingSpec, type ChannelOption} from '../lib/integrations';

const channels: ChannelOption[] = [
    {id: 'c-off', name: 'off-topic', display_name: 'Off-Topic', type: 'O'},
    {id: 'c-town', name: 'town-square', display_name: 'Town Square', type: 'O'},
    {id: 'c-priv', name: 'secret', display_name: 'Secret', type: 'P'},
];

describe('incoming webhooks', () => {
    it('default to Town Square and keep the hook id when edited', () => {
        expect(incomingSpec.values(null, channels).channel_id).toBe('c-town');
        const hook = {id: 'h1', channel_id: 'c-off', display_name: 'CI', description: 'd', username: 'ci', icon_url: '', channel_locked: true};
        const v = incomingSpec.values(hook, channels);
        expect(v).toMatchObject({display_name: 'CI', channel_id: 'c-off', channel_locked: true, username: 'ci'});
        const {body, error} = incomingSpec.payload({...v, display_name: '  Builds ', channel_locked: false}, hook, 't');
        expect(error).toBe('');
        expect(body).toMatchObject({id: 'h1', display_name: 'Builds', channel_locked: false, channel_id: 'c-off'});
    });
});

describe('outgoing webhooks', () => {
    it('offer public channels only, and need a callback and a trigger word or a channel', () => {
        const select = outgoingSpec.fields(channels).find((f) => f.key === 'channel_id')!;
        expect(select.options!.map((o) => o.value)).toEqual(['', 'c-off', 'c-town']);
        const v = outgoingSpec.values(null, channels);
        expect(outgoingSpec.payload(v, null, 't').error).toMatch(/callback/);
        expect(outgoingSpec.payload({...v, callback_urls: 'http://x'}, null, 't').error).toMatch(/trigger words/);
        const {body} = outgoingSpec.payload({...v, callback_urls: 'http://x\n\nhttp://y\nhttp://x', trigger_words: 'deploy, ship,deploy', json: true, trigger_when: '1'}, null, 't');
        expect(body).toMatchObject({team_id: 't', callback_urls: ['http://x', 'http://y'], trigger_words: ['deploy', 'ship'],
            trigger_when: 1, content_type: 'application/json'});
    });

    it('round-trip an existing hook', () => {
        const hook = {id: 'o1', team_id: 't', channel_id: '', display_name: 'D', description: '', trigger_words: ['a', 'b'], trigger_when: 0,
            callback_urls: ['http://x', 'http://y'], content_type: 'application/x-www-form-urlencoded'};
        const v = outgoingSpec.values(hook, channels);
        expect(v).toMatchObject({trigger_words: 'a, b', callback_urls: 'http://x\nhttp://y', json: false, trigger_when: '0'});
        expect(outgoingSpec.payload(v, hook, 't').body).toEqual(hook);
    });
});

describe('slash commands', () => {
    it('normalise the trigger and keep the id when edited', () => {
        const v = commandSpec.values(null, channels);
        expect(v.auto_complete).toBe(true);
        expect(commandSpec.payload({...v, trigger: 'two words', url: 'http://x'}, null, 't').error).toMatch(/spaces/);
        expect(commandSpec.payload({...v, trigger: '/deploy'}, null, 't').error).toMatch(/URL/);
        const cmd = {id: 'k1', team_id: 't', trigger: 'deploy', url: 'http://x', method: 'P', display_name: 'Deploy', description: 'Ships',
            auto_complete: false, auto_complete_desc: 'Ships', auto_complete_hint: '', username: '', icon_url: ''};
        const {body} = commandSpec.payload({...commandSpec.values(cmd, channels), trigger: '/Ship', method: 'G'}, cmd, 't');
        expect(body).toMatchObject({id: 'k1', trigger: 'ship', method: 'G', auto_complete: false, description: 'Ships'});
    });
});

describe('bots', () => {
    it('lower-case the username and need one', () => {
        expect(botSpec.payload({username: ' ', display_name: '', description: ''}, null, 't').error).toMatch(/username/);
        expect(botSpec.payload({username: 'HelperBot', display_name: ' Helper ', description: ''}, null, 't').body)
            .toEqual({username: 'helperbot', display_name: 'Helper', description: ''});
    });
});
