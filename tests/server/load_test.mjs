// Bounded load on `edgellm serve`: N requests from C concurrent clients, a
// mix of completions and chat, streaming and not. Every request must get the
// same answer as the same request alone (greedy) or a clean 503 error object
// (queue full); nothing else; afterwards every slot is idle again. Measures
// the server's RSS after a warm-up round and after a second round of the same
// load: it must not grow (no leak).
// usage: node load_test.mjs BASE_URL SERVER_PID N CONCURRENCY [SANITIZED]
import { readFileSync } from 'node:fs';

const [base, pid, nArg, cArg, sanitizedArg] = process.argv.slice(2);
const N = Number(nArg);
const C = Number(cArg);
const sanitized = sanitizedArg === '1';

const cases = [
  { path: '/v1/completions', body: { prompt: 'Once upon a time', max_tokens: 16, temperature: 0 } },
  { path: '/v1/completions', body: { prompt: 'The quick brown fox', max_tokens: 24, temperature: 0, stream: true } },
  { path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 20, temperature: 0 } },
  { path: '/v1/chat/completions',
    body: { messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 32, temperature: 0, stream: true } },
];

function rssKiB() {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : NaN;
}

// Returns the answer text, or null for a clean 503; throws on anything else.
async function call(c) {
  const res = await fetch(base + c.path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(c.body),
  });
  const raw = await res.text();
  if (res.status === 503) {
    const e = JSON.parse(raw).error;
    if (e?.code !== 'server_busy' || e?.type !== 'server_error' || !e.message) throw new Error(`bad 503 body ${raw}`);
    return null;
  }
  if (res.status !== 200) throw new Error(`status ${res.status}: ${raw.slice(0, 300)}`);
  const chat = c.path.includes('chat');
  if (!c.body.stream) {
    const r = JSON.parse(raw);
    return chat ? r.choices[0].message.content : r.choices[0].text;
  }
  const events = raw.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
  if (events.at(-1) !== '[DONE]') throw new Error(`stream without [DONE]: ${raw.slice(-200)}`);
  return events.slice(0, -1).map((e) => JSON.parse(e))
    .map((j) => (chat ? j.choices[0]?.delta?.content : j.choices[0]?.text) ?? '').join('');
}

const expected = [];
for (const c of cases) expected.push(await call(c));
if (expected.some((t) => t === null)) throw new Error('503 with an idle server');

async function round(label) {
  let next = 0;
  const counts = { ok: 0, busy: 0, bad: 0 };
  const t0 = Date.now();
  async function client() {
    for (let i = next++; i < N; i = next++) {
      const k = i % cases.length;
      try {
        const text = await call(cases[k]);
        if (text === null) {
          counts.busy++;
          await new Promise((r) => setTimeout(r, 10));  // back off a little, as a client would
        }
        else if (text === expected[k]) counts.ok++;
        else {
          counts.bad++;
          console.log(`wrong answer for case ${k}: ${JSON.stringify(text)} != ${JSON.stringify(expected[k])}`);
        }
      } catch (e) {
        counts.bad++;
        console.log(`request ${i} (case ${k}) failed: ${e}`);
      }
    }
  }
  await Promise.all(Array.from({ length: C }, client));
  // Every slot was handed back and nobody is left waiting.
  const h = await (await fetch(base + '/health')).json();
  if (h.slots_idle !== h.slots_total || h.requests_waiting !== 0) {
    console.log(`after the round: ${JSON.stringify(h)}`);
    counts.bad++;
  }
  console.log(`${label}: ${N} requests, ${C} clients: ${counts.ok} correct, ${counts.busy} x 503, ` +
              `${counts.bad} bad, ${Date.now() - t0} ms, server RSS ${(rssKiB() / 1024).toFixed(1)} MiB`);
  return counts;
}

const rss0 = rssKiB();
const r1 = await round('warm-up round');
const rss1 = rssKiB();
const r2 = await round('measured round');
const rss2 = rssKiB();
console.log(`server RSS: ${(rss0 / 1024).toFixed(1)} MiB before, ${(rss1 / 1024).toFixed(1)} MiB after the ` +
            `warm-up, ${(rss2 / 1024).toFixed(1)} MiB after the measured round (${rss2 - rss1 >= 0 ? '+' : ''}` +
            `${rss2 - rss1} KiB)`);
let failed = false;
for (const r of [r1, r2]) {
  if (r.bad > 0 || r.ok + r.busy !== N || r.ok < 2) failed = true;
}
// ASan keeps freed memory in quarantine: RSS says nothing there (LeakSanitizer
// checks at exit instead).
const limitKiB = 4096;
if (!sanitized && rss2 - rss1 > limitKiB) {
  console.log(`RSS grew by ${rss2 - rss1} KiB over the measured round (limit ${limitKiB} KiB)`);
  failed = true;
}
process.exit(failed ? 1 : 0);
