import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { openDeployLocks } from '../../src/store/deploy-locks.ts';
import { createTestDatabase, postgresUrl, unique } from './engines.ts';

describe('deploy locks in one process (the embedded store)', () => {
  test('waiters get the lock one at a time in arrival order; an aborted waiter leaves the queue', async () => {
    const locks = openDeployLocks();
    const key = unique('ws');
    const first = await locks.acquire(key);
    assert.equal(await locks.tryAcquire(key), undefined);
    const order: string[] = [];
    const controller = new AbortController();
    const second = locks.acquire(key).then((l) => (order.push('second'), l));
    const gaveUp = locks.acquire(key, controller.signal).catch((e: unknown) => (order.push('gave up'), e));
    const third = locks.acquire(key).then((l) => (order.push('third'), l));
    controller.abort(new Error('newer push'));
    assert.equal(((await gaveUp) as Error).message, 'newer push');
    await first.release();
    await (await second).release();
    await (await third).release();
    assert.deepEqual(order, ['gave up', 'second', 'third']);
    const again = await locks.tryAcquire(key);
    assert.ok(again, 'free again once everyone released it');
    await again.release();
  });
});

// Like the other store tests, the Postgres run is left out when DATABASE_URL is not set.
if (postgresUrl) describe('deploy locks on Postgres', () => {
  let url: string;
  let drop: () => Promise<void>;
  before(async () => {
    ({ url, drop } = await createTestDatabase(postgresUrl!));
  });
  after(async () => drop?.());

  test('a lock held on one connection is refused on another, and waited for', async () => {
    const a = openDeployLocks({ databaseUrl: url });
    const b = openDeployLocks({ databaseUrl: url });
    const key = unique('ws');
    const held = await a.acquire(key);
    assert.equal(await b.tryAcquire(key), undefined);
    let got = false;
    const waiting = b.acquire(key).then((l) => ((got = true), l));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(got, false);
    await held.release();
    await (await waiting).release();
  });

  test('the lock of a process that dies is free at once: nobody has to clear it', async () => {
    const key = unique('ws');
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `import('${new URL('../../src/store/deploy-locks.ts', import.meta.url).pathname}').then(async ({ openDeployLocks }) => { await openDeployLocks({ databaseUrl: process.env.URL }).acquire(process.env.KEY); console.log('held'); setInterval(() => {}, 1000); })`],
      { env: { ...process.env, URL: url, KEY: key }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
    const locks = openDeployLocks({ databaseUrl: url });
    assert.equal(await locks.tryAcquire(key), undefined, 'held by the other process');
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    // Postgres notices the dead connection and ends its session, with the lock.
    const deadline = Date.now() + 10_000;
    let lock = await locks.tryAcquire(key);
    while (!lock && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lock = await locks.tryAcquire(key);
    }
    assert.ok(lock, 'free after its holder died');
    await lock.release();
  });

  test('waiting for a lock can be abandoned', async () => {
    const locks = openDeployLocks({ databaseUrl: url });
    const key = unique('ws');
    const held = await locks.acquire(key);
    const controller = new AbortController();
    const waiting = locks.acquire(key, controller.signal);
    setTimeout(() => controller.abort(new Error('superseded')), 200);
    await assert.rejects(waiting, /superseded/);
    await held.release();
    const free = await locks.tryAcquire(key);
    assert.ok(free);
    await free.release();
  });
});
