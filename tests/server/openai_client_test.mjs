// Drives `edgellm serve` with the official OpenAI JavaScript client (the
// version pinned in package.json): model list, completions and chat,
// non-streaming and streaming, errors as the client's typed exceptions, and
// a client that aborts a stream.
// usage: node openai_client_test.mjs BASE_URL EDGELLM_BINARY MODEL.gguf
// (EDGELLM_NPM_DIR: the folder whose node_modules holds openai)
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.EDGELLM_NPM_DIR, 'package.json'));
const openai = require('openai');
const OpenAI = openai.OpenAI ?? openai.default ?? openai;

const [baseURL, bin, modelPath] = process.argv.slice(2);
const modelId = path.basename(modelPath).replace(/\.[^.]*$/, '');
const client = new OpenAI({ baseURL, apiKey: 'not-needed', maxRetries: 0, timeout: 120000 });

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   openai: ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL openai: ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, what) {
  if (!cond) throw new Error(what);
}

// `edgellm run --temp 0` for the same prompt; bytes that are not UTF-8
// become U+FFFD as in any decoder (the server sends the same).
function reference(prompt, n) {
  const out = execFileSync(bin, ['run', '-m', modelPath, '-p', prompt, '-n', String(n), '--temp', '0', '--json'],
                           { stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(new TextDecoder('utf-8').decode(out));
}

async function expectError(promise, status, fields) {
  try {
    await promise;
  } catch (e) {
    assert(e instanceof OpenAI.APIError, `not an APIError: ${e}`);
    assert(e.status === status, `status ${e.status}, wanted ${status}`);
    for (const [k, v] of Object.entries(fields)) assert(e[k] === v, `${k} is ${e[k]}, wanted ${v}`);
    return;
  }
  throw new Error(`no error, wanted ${status}`);
}

await check('models.list names the model', async () => {
  const page = await client.models.list();
  assert(page.data.some((m) => m.id === modelId && m.object === 'model'), JSON.stringify(page.data));
});

const prompt = 'Once upon a time';
const ref = reference(prompt, 24);

await check('completions: greedy text equals edgellm run --temp 0', async () => {
  const r = await client.completions.create({ model: modelId, prompt, max_tokens: 24, temperature: 0 });
  assert(r.choices[0].text === ref.text, `${JSON.stringify(r.choices[0].text)} != ${JSON.stringify(ref.text)}`);
  assert(r.usage.completion_tokens === ref.tokens.length, `usage ${JSON.stringify(r.usage)}`);
  assert(r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens, 'total_tokens');
});

await check('completions: streamed chunks concatenate to the same text', async () => {
  const stream = await client.completions.create({ model: modelId, prompt, max_tokens: 24, temperature: 0, stream: true });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert(text === ref.text, `${JSON.stringify(text)} != ${JSON.stringify(ref.text)}`);
  assert(finish === 'stop' || finish === 'length', `finish_reason ${finish}`);
});

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say something.' },
];
let chatText = null;
await check('chat: non-streaming answer with usage', async () => {
  const r = await client.chat.completions.create({ model: modelId, messages, max_tokens: 30, temperature: 0 });
  chatText = r.choices[0].message.content;
  assert(r.object === 'chat.completion' && r.choices[0].message.role === 'assistant', JSON.stringify(r));
  assert(typeof chatText === 'string' && chatText.length > 0, 'empty answer');
  assert(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 30,
         JSON.stringify(r.usage));
});

await check('chat: streaming (include_usage) equals the non-streamed answer', async () => {
  const stream = await client.chat.completions.create({
    model: modelId, messages, max_tokens: 30, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.choices.length === 0) usage = chunk.usage;
  }
  assert(text === chatText, `${JSON.stringify(text)} != ${JSON.stringify(chatText)}`);
  assert(usage && usage.completion_tokens > 0, `usage chunk ${JSON.stringify(usage)}`);
});

await check('chat: seeded sampling is reproducible', async () => {
  const ask = () => client.chat.completions.create({ model: modelId, messages, max_tokens: 16, temperature: 0.9, top_p: 0.95, seed: 1234 });
  const [a, b] = [await ask(), await ask()];
  assert(a.choices[0].message.content === b.choices[0].message.content, 'differs');
});

await check('errors: wrong type -> BadRequestError naming the field', async () => {
  await expectError(client.chat.completions.create({ model: modelId, messages, temperature: 'hot' }), 400,
                    { param: 'temperature', type: 'invalid_request_error' });
});

await check('errors: prompt over the context -> 400 context_length_exceeded', async () => {
  const long = 'alpha beta gamma '.repeat(1200);
  await expectError(client.completions.create({ model: modelId, prompt: long }), 400, { code: 'context_length_exceeded' });
});

await check('errors: missing messages -> 400', async () => {
  await expectError(client.chat.completions.create({ model: modelId }), 400, { param: 'messages' });
});

await check('a client that aborts a stream; the server goes on serving', async () => {
  const stream = await client.completions.create({
    model: modelId, prompt, max_tokens: 900, temperature: 0, ignore_eos: true, stream: true,
  });
  let n = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.text) n++;
    if (n === 3) break;  // leaving the loop aborts the request
  }
  const r = await client.completions.create({ model: modelId, prompt, max_tokens: 24, temperature: 0 });
  assert(r.choices[0].text === ref.text, 'answer after the abort differs');
});

console.log(`openai client: ${failures} failed`);
process.exit(failures ? 1 : 0);
