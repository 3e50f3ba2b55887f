/**
 * `memfleet mcp` driven by the MCP SDK's own client over stdio, against a live
 * fixture fleet behind an API token: the tools answer with citations, the
 * shard sources are resources readable by line range.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const TOKEN = 'mcp-e2e-test-token-0123456789abcdef';

interface TextContent {
  type: 'text';
  text: string;
}

function textOf(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as TextContent[]).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

describe('memfleet mcp (stdio) against a live fleet', () => {
  let fleet: FixtureFleet;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';

  before(async () => {
    fleet = await startFixtureFleet({ coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--url', fleet.coordinator.url],
      // The token comes from the environment, as an MCP client config would pass it.
      env: { PATH: process.env.PATH ?? '', MEMFLEET_API_TOKEN: TOKEN },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    client = new Client({ name: 'memfleet-e2e', version: '1.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    await fleet?.stop();
  });

  test('When the client connects, then the server names itself and offers ask_memory, list_shards, read_source, remember and forget', async () => {
    assert.equal(client.getServerVersion()?.name, 'memfleet');
    assert.match(client.getInstructions() ?? '', /ask_memory/);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['ask_memory', 'forget', 'list_shards', 'read_source', 'remember']);
    const ask = tools.find((t) => t.name === 'ask_memory');
    assert.deepEqual(ask?.inputSchema.required, ['question']);
    assert.ok(ask?.outputSchema, 'ask_memory declares its structured output');
    assert.match(stderr, /serving over stdio/);
  });

  test('When an agent remembers a handover note, then ask_memory cites it, read_source shows it, and after forget it is gone', async () => {
    const note = 'Handover: the night ferry to Vellmar was cancelled because the propeller shaft cracked.\n';
    const written = await client.callTool({ name: 'remember', arguments: { shard: 'harbor', source: 'notes/handover.md', text: note } });
    assert.notEqual(written.isError, true, textOf(written));
    const out = written.structuredContent as { created: boolean; version: number; lines: number };
    assert.equal(out.created, true);
    assert.equal(out.lines, 1);

    const asked = await client.callTool({ name: 'ask_memory', arguments: { question: 'Why was the night ferry to Vellmar cancelled?', shards: ['harbor'] } });
    assert.match(textOf(asked), /harbor\/notes\/handover\.md:1/);
    const read = await client.callTool({ name: 'read_source', arguments: { shard: 'harbor', source: 'notes/handover.md' } });
    assert.match(textOf(read), /propeller shaft cracked/);

    const stale = await client.callTool({ name: 'remember', arguments: { shard: 'harbor', source: 'notes/handover.md', text: 'other', ifMatch: out.version + 5 } });
    assert.equal(stale.isError, true);
    assert.match(textOf(stale), /412/);

    const forgot = await client.callTool({ name: 'forget', arguments: { shard: 'harbor', source: 'notes/handover.md' } });
    assert.notEqual(forgot.isError, true, textOf(forgot));
    const again = await client.callTool({ name: 'ask_memory', arguments: { question: 'Why was the night ferry to Vellmar cancelled?', shards: ['harbor'] } });
    assert.doesNotMatch(textOf(again), /handover\.md/);
    const folder = await client.callTool({ name: 'forget', arguments: { shard: 'harbor', source: 'cargo.md' } });
    assert.equal(folder.isError, true);
    assert.match(textOf(folder), /read-only/);
  });

  test('When list_shards is called, then every fixture domain is listed as up', async () => {
    const result = await client.callTool({ name: 'list_shards', arguments: {} });
    assert.notEqual(result.isError, true, textOf(result));
    const shards = (result.structuredContent as { shards: { shard: string; status: string; replicas: number }[] }).shards;
    assert.deepEqual(shards.map((s) => [s.shard, s.status]), [['harbor', 'up'], ['kitchen', 'up'], ['observatory', 'up']]);
    assert.match(textOf(result), /harbor: up, 1 replica/);
  });

  test('When ask_memory is called, then the answer cites shard/source:line as text and as structured content', async () => {
    const result = await client.callTool({ name: 'ask_memory', arguments: { question: 'Who is the captain of the schooner Albatross?', topK: 3 } });
    assert.notEqual(result.isError, true, textOf(result));
    const text = textOf(result);
    assert.match(text, /Ilse Varga/);
    assert.match(text, /harbor\/ships\.txt:\d+/);
    const s = result.structuredContent as {
      found: boolean;
      confidence: string;
      citations: { ref: string; shard: string; source: string; line: number; endLine: number; uri: string; confidence: string }[];
      shards: { status: string }[];
    };
    assert.equal(s.found, true);
    assert.equal(s.confidence, 'high');
    assert.match(text, /^Confidence: high/);
    assert.equal(s.citations[0]?.confidence, 'high');
    const top = s.citations[0];
    assert.ok(top);
    assert.equal(top.shard, 'harbor');
    assert.equal(top.source, 'ships.txt');
    assert.equal(top.ref, `harbor/ships.txt:${top.line}${top.endLine > top.line ? `-${top.endLine}` : ''}`);
    assert.equal(top.uri, `memfleet://harbor/ships.txt?from=${top.line}&to=${top.endLine}`);
    assert.ok(s.shards.every((x) => x.status === 'ok'));
  });

  test('When ask_memory finds nothing, then found is false and the call is not an error', async () => {
    const result = await client.callTool({ name: 'ask_memory', arguments: { question: 'xylophone quasar zeppelin', shards: ['kitchen'] } });
    assert.notEqual(result.isError, true);
    assert.equal((result.structuredContent as { found: boolean }).found, false);
    assert.equal((result.structuredContent as { confidence: string }).confidence, 'none');
    assert.match(textOf(result), /Nothing in memory answers/);
  });

  test('When a cited range is read as a resource, then its numbered lines are the file\'s lines', async () => {
    const want = readFileSync(join(FIXTURE_CONTEXTS, 'observatory', 'notes', 'comets.txt'), 'utf8').split('\n');
    const res = await client.readResource({ uri: 'memfleet://observatory/notes/comets.txt?from=3&to=4' });
    const content = res.contents[0] as { uri: string; text: string; mimeType: string };
    assert.equal(content.mimeType, 'text/plain');
    const lines = content.text.split('\n');
    assert.equal(lines[0], `3\t${want[2]}`);
    assert.equal(lines[1], `4\t${want[3]}`);
    assert.match(lines.at(-1) ?? '', /read more with memfleet:\/\/observatory\/notes\/comets\.txt\?from=5/);
  });

  test('When resources are listed, then every source of every shard is there, and templates advertise the range form', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri).sort();
    assert.deepEqual(uris, [
      'memfleet://harbor/cargo.md',
      'memfleet://harbor/ships.txt',
      'memfleet://kitchen/recipes.md',
      'memfleet://observatory/notes/comets.txt',
      'memfleet://observatory/notes/moons.md',
    ]);
    const whole = await client.readResource({ uri: 'memfleet://kitchen/recipes.md' });
    const want = readFileSync(join(FIXTURE_CONTEXTS, 'kitchen', 'recipes.md'), 'utf8').replace(/\n$/, '').split('\n');
    assert.equal((whole.contents[0] as { text: string }).text.split('\n').length, want.length);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'memfleet://{shard}/{+source}{?from,to}'));
  });

  test('When ask_memory gets topK 0, then it refuses with the message the API and the CLI give', async () => {
    const text = await client.callTool({ name: 'ask_memory', arguments: { question: 'plum jam', topK: 0 } }).then(
      (result) => {
        assert.equal(result.isError, true);
        return textOf(result);
      },
      (err: unknown) => String(err),
    );
    assert.match(text, /topK must be an integer from 1 to 50, got 0/);
  });

  test('When read_source names a path outside the domain, then the tool reports an error and no file content', async () => {
    const result = await client.callTool({ name: 'read_source', arguments: { shard: 'harbor', source: '../kitchen/recipes.md' } });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /no source/);
    const ok = await client.callTool({ name: 'read_source', arguments: { shard: 'harbor', source: 'ships.txt', from: 1, to: 2 } });
    assert.notEqual(ok.isError, true, textOf(ok));
    assert.equal((ok.structuredContent as { lines: unknown[] }).lines.length, 2);
  });
});
