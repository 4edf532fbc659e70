'use strict';
// The status under a node: its words come from each node set's catalog (en-US, zh-CN), an error
// shows what happened in whole words, a healthy server is green.
require('should');
const fs = require('fs');
const path = require('path');
const { statusFor, catalogWords, shortReason, ENGLISH } = require('../../dist/nodes/shared/status');

const ROOT = path.join(__dirname, '..', '..');
const SETS = ['tcp', 'udp', 'multicast', 'websocket', 'request'];
const catalog = (lang, base) => JSON.parse(fs.readFileSync(path.join(ROOT, 'nodes', 'locales', lang, `${base}.json`), 'utf8'))[`netcast-${base}`];

/** RED._ as Node-RED's runtime gives it to a node set: __name__ placeholders, the key back when missing. */
function fakeRed(lang, base) {
  return {
    _(key, values = {}) {
      const [set, group, word] = key.split('.');
      const text = set === `netcast-${base}` && group === 'status' ? catalog(lang, base).status[word] : undefined;
      return text === undefined ? key : text.replace(/__(\w+)__/g, (_, name) => String(values[name]));
    },
  };
}

describe('node status', function () {
  it('every catalog has every status word, in both languages; en-US reads as the built-in English', function () {
    for (const base of SETS) {
      for (const lang of ['en-US', 'zh-CN']) {
        Object.keys(catalog(lang, base).status).sort().should.eql(Object.keys(ENGLISH).sort(), `${lang}/${base}.json status`);
      }
      catalog('en-US', base).status.should.eql({ ...ENGLISH });
    }
  });

  it('speaks the catalog language: zh-CN words for every phase', function () {
    const words = catalogWords(fakeRed('zh-CN', 'tcp'), 'netcast-tcp-in');
    statusFor({ phase: 'listening', port: 5000, clients: 2 }, { queued: 3, dropped: 1, refused: 0 }, words).text.should.equal('正在监听 :5000 · 2 个客户端 · 排队 3 条 · 已丢弃 1 条');
    statusFor({ phase: 'reconnecting', inMs: 4000, reason: 'x' }, undefined, words).text.should.equal('4 秒后重连');
    statusFor({ phase: 'connected', target: 'a:1' }, undefined, words).text.should.equal('已连接');
    statusFor({ phase: 'failed', reason: 'port 5000 is in use by another program; stop that program or choose another port' }, undefined, words).text
      .should.equal('错误：port 5000 is in use by another program');
    const mcast = catalogWords(fakeRed('zh-CN', 'multicast'), 'netcast-multicast-in');
    statusFor({ phase: 'ready', text: 'joined 239.1.2.3', how: 'joined', detail: '239.1.2.3' }, undefined, mcast).text.should.equal('已加入 239.1.2.3');
    statusFor({ phase: 'waiting', reason: 'waiting for eth1', for: 'eth1' }, undefined, mcast).text.should.equal('正在等待 eth1');
    const udp = catalogWords(fakeRed('zh-CN', 'udp'), 'netcast-udp-out');
    statusFor({ phase: 'ready', text: 'bound :5005', how: 'bound', detail: ':5005' }, undefined, udp).text.should.equal('已绑定 :5005');
  });

  it('falls back to English when the catalog lacks a word', function () {
    const words = catalogWords({ _: (key) => key }, 'netcast-tcp-in');
    statusFor({ phase: 'listening', port: 80, clients: 1 }, undefined, words).text.should.equal('listening :80 · 1 client');
  });

  it('a server listening with no client yet is healthy (green); a WebSocket server shows its path', function () {
    statusFor({ phase: 'listening', port: 5000, clients: 0 }).should.eql({ fill: 'green', shape: 'dot', text: 'listening :5000 · 0 clients' });
    statusFor({ phase: 'listening', port: 1880, clients: 0, path: '/ws/chat' }).text.should.equal('listening :1880/ws/chat · 0 clients');
    // on Node-RED's port before Node-RED opens it
    statusFor({ phase: 'listening', port: 0, clients: 0, path: '/ws/chat' }).text.should.equal('listening /ws/chat · 0 clients');
  });

  it('an error status says what happened in whole words; the fix stays in the sentence the log and sidebar show', function () {
    shortReason('port 15001 is in use by another program; stop that program or choose another port').should.equal('port 15001 is in use by another program');
    const long = 'TLS handshake with plc-line-4.factory.example.com:8883 failed: its certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); add the CA';
    const short = shortReason(long);
    short.length.should.be.belowOrEqual(73);
    short.should.endWith('…');
    long.startsWith(short.slice(0, -1)).should.be.true();
    long[short.length - 1].should.equal(' ', 'cut between words');
  });
});
