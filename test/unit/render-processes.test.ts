/** `memfleet status`: the table of processes `memfleet up` supervises. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderProcesses } from '../../services/cli/client/render-processes.js';
import { coloursFor } from '../../services/cli/client/terminal.js';
import type { SupervisorStatus } from '../../shared/api/supervisor.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const plain = coloursFor({ isTTY: false, write: () => true }, {});

describe('renderProcesses', () => {
  test('When up supervises processes, then each is a row with pid, state, restarts and last exit, columns aligned', () => {
    const status: SupervisorStatus = {
      id: 'laptop-1-abc',
      host: 'laptop',
      pid: 100,
      startedAt: NOW - 12 * 60_000,
      updatedAt: NOW,
      processes: [
        { name: 'coordinator', role: 'coordinator', pid: 101, state: 'running', restarts: 0 },
        { name: 'moby-dick-1#1', role: 'shard', domain: 'moby-dick-1', pid: 1302, state: 'running', restarts: 1, lastExit: { reason: 'was killed by SIGKILL', at: NOW - 3 * 60_000 } },
        { name: 'kitchen#1', role: 'shard', domain: 'kitchen', pid: null, state: 'gave-up', restarts: 4, lastExit: { reason: 'exited with code 1', at: NOW - 5000 }, gaveUp: 'exited with code 1, its 5th exit within 60 s' },
      ],
    };
    assert.equal(
      renderProcesses([status], plain, NOW),
      [
        '',
        'Processes of memfleet up (pid 100 on laptop, up 12m):',
        'PROCESS         PID  STATE    RESTARTS  LAST EXIT',
        'coordinator     101  running         0  -',
        'moby-dick-1#1  1302  running         1  was killed by SIGKILL 3m ago',
        'kitchen#1         -  gave-up         4  gave up: exited with code 1, its 5th exit within 60 s',
      ].join('\n'),
    );
  });
});
